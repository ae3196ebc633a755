// The dashboard (index.html, served at /) and the public page (public.html, served at /public), built into dist/
// for cityops to serve (src/web/StaticSite): no CDN, no inline scripts or styles (the server's CSP forbids both).
import { defineConfig } from 'vite';
import { resolve } from 'node:path';

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    // Every asset as a file of its own (no data: URIs), so that the CSP's img-src/font-src 'self' covers them.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    rollupOptions: {
      input: {
        index: resolve(__dirname, 'index.html'),
        public: resolve(__dirname, 'public.html'),
      },
    },
  },
  server: {
    // `npm run dev` against a cityops on 8080 (start it with `make demo`).
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', ws: true },
    },
  },
});
