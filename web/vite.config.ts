import tailwindcss from '@tailwindcss/vite';
import { defineConfig } from 'vite';

// No React plugin: Vite 8's built-in Oxc transform compiles TSX with the automatic
// JSX runtime; we do not need fast refresh.
export default defineConfig({
  plugins: [tailwindcss()],
  oxc: { jsx: { runtime: 'automatic' } },
  server: {
    // `npm run dev --workspace web` talks to a Roster server started with `npm start`.
    proxy: { '/api': 'http://localhost:8000', '/docs': 'http://localhost:8000' },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    rolldownOptions: {
      // React libraries mark modules "use client" for server components; meaningless here.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
});
