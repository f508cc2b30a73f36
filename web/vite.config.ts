/**
 * Builds the admin console (web/src) into web/dist, served by Fastify under /admin (src/http/admin-console.routes.ts).
 * `npm install` runs it (the `prepare` script) and `npm start` runs it when web/dist is missing.
 * Each asset also gets a .br and a .gz beside it, which @fastify/static sends to browsers that accept them
 * (`preCompressed`), so the first load transfers the compressed size without compressing on every request.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const outDir = path.join(import.meta.dirname, 'dist');

function precompress(): Plugin {
  return {
    name: 'sertantai-precompress',
    apply: 'build',
    closeBundle() {
      const assets = path.join(outDir, 'assets');
      for (const name of fs.readdirSync(assets)) {
        if (!/\.(js|css|svg|json)$/.test(name)) continue;
        const file = path.join(assets, name);
        const raw = fs.readFileSync(file);
        fs.writeFileSync(`${file}.gz`, zlib.gzipSync(raw, { level: 9 }));
        fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(raw));
      }
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: '/admin/',
  plugins: [react(), precompress()],
  build: { outDir, emptyOutDir: true, sourcemap: false, reportCompressedSize: true },
  logLevel: 'warn',
});
