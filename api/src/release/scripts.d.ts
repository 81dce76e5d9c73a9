// The installers are shell and PowerShell files, bundled as text by Vite (astro build, vitest).
declare module "*?raw" {
  const text: string;
  export default text;
}
