import type { RepoRef } from "@residue/protocol";

export interface RepoRow {
  id: number;
  host: string;
  owner: string;
  name: string;
  last_activity_at: number;
  commit_count: number;
  session_count: number;
}

const REPO_COLUMNS = `r.id, r.host, r.owner, r.name, r.last_activity_at,
  (SELECT count(*) FROM commits c WHERE c.repo_id = r.id) AS commit_count,
  (SELECT count(*) FROM sessions s WHERE s.repo_id = r.id) AS session_count`;

export async function upsertRepo(db: D1Database, repo: RepoRef, now: number): Promise<number> {
  const row = await db
    .prepare(
      `INSERT INTO repos (host, owner, name, created_at, last_activity_at) VALUES (?1, ?2, ?3, ?4, ?4)
       ON CONFLICT (host, owner, name) DO UPDATE SET last_activity_at = max(last_activity_at, excluded.last_activity_at)
       RETURNING id`,
    )
    .bind(repo.host, repo.owner, repo.name, now)
    .first<{ id: number }>();
  if (!row) throw new Error("repo upsert returned no id");
  return row.id;
}

export function findRepoById(db: D1Database, id: number): Promise<RepoRow | null> {
  return db.prepare(`SELECT ${REPO_COLUMNS} FROM repos r WHERE r.id = ?1`).bind(id).first<RepoRow>();
}

/** Repos with this owner path and name, on any host unless one is given. */
export async function findRepos(db: D1Database, owner: string, name: string, host?: string): Promise<RepoRow[]> {
  const { results } = await db
    .prepare(`SELECT ${REPO_COLUMNS} FROM repos r WHERE r.owner = ?1 AND r.name = ?2 AND (?3 IS NULL OR r.host = ?3)`)
    .bind(owner, name, host ?? null)
    .all<RepoRow>();
  return results;
}

export async function listReposOfOwner(db: D1Database, owner: string, host?: string): Promise<RepoRow[]> {
  const { results } = await db
    .prepare(
      `SELECT ${REPO_COLUMNS} FROM repos r WHERE r.owner = ?1 AND (?2 IS NULL OR r.host = ?2) ORDER BY r.last_activity_at DESC, r.name`,
    )
    .bind(owner, host ?? null)
    .all<RepoRow>();
  return results;
}

export interface OwnerRow {
  owner: string;
  hosts: string;
  repo_count: number;
  last_activity_at: number;
}

export async function listOwners(db: D1Database): Promise<OwnerRow[]> {
  const { results } = await db
    .prepare(
      `SELECT owner, group_concat(DISTINCT host) AS hosts, count(*) AS repo_count, max(last_activity_at) AS last_activity_at
       FROM repos GROUP BY owner ORDER BY last_activity_at DESC, owner`,
    )
    .all<OwnerRow>();
  return results;
}

export function touchRepo(db: D1Database, repoId: number, now: number) {
  return db.prepare("UPDATE repos SET last_activity_at = max(last_activity_at, ?2) WHERE id = ?1").bind(repoId, now);
}

export function repoInfo(row: RepoRow) {
  const { id: _id, ...info } = row;
  return info;
}
