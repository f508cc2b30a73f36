/**
 * Builds the admin console (web/src) into web/dist, served by Fastify under /admin (src/http/admin-console.routes.ts).
 * `npm install` runs it (the `prepare` script) and `npm start` runs it when web/dist is missing.
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: import.meta.dirname,
  base: '/admin/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, reportCompressedSize: true },
  logLevel: 'warn',
});
