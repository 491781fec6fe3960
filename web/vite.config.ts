import tailwindcss from '@tailwindcss/vite';
import { defineConfig } from 'vite';

// No React plugin: Vite 8's built-in Oxc transform compiles TSX with the automatic
// JSX runtime; we do not need fast refresh.
// Where `vite` (dev) and `vite preview` send /api and /docs: a Roster server (`npm start`).
const apiTarget = process.env.ROSTER_API ?? 'http://localhost:8000';

export default defineConfig({
  plugins: [tailwindcss()],
  oxc: { jsx: { runtime: 'automatic' } },
  server: {
    proxy: { '/api': apiTarget, '/docs': apiTarget },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // One bundle (about 140 kB gzipped) is fine for an app this size; no code splitting needed.
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      // React libraries mark modules "use client" for server components; meaningless here.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
});
