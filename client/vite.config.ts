// Builds the operations-room SPA from client/ into dist/client, which the hub serves.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';
import { precompress } from './build/precompress';

const clientDir = fileURLToPath(new URL('.', import.meta.url));
const contractsDir = fileURLToPath(new URL('../contracts/', import.meta.url));
const srcDir = fileURLToPath(new URL('./src/', import.meta.url));
const hub = process.env.HUB_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: clientDir,
  base: '/',
  resolve: {
    alias: [
      { find: /^@contracts\//, replacement: contractsDir },
      { find: /^@\//, replacement: srcDir },
    ],
  },
  define: {
    // Composition API only; keeps the legacy vue-i18n API and devtools hooks out of the bundle.
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: false,
  },
  plugins: [
    vue(),
    // Element Plus on demand: only the components a template uses, each with its own CSS.
    Components({
      dirs: [],
      resolvers: [ElementPlusResolver({ importStyle: 'css' })],
      dts: fileURLToPath(new URL('./src/components.d.ts', import.meta.url)),
    }),
    precompress(),
  ],
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      '/api': { target: hub, changeOrigin: false },
      '/socket.io': { target: hub, ws: true, changeOrigin: false },
    },
  },
  preview: {
    proxy: {
      '/api': { target: hub, changeOrigin: false },
      '/socket.io': { target: hub, ws: true, changeOrigin: false },
    },
  },
  build: {
    outDir: fileURLToPath(new URL('../dist/client', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 800,
    rolldownOptions: {
      output: {
        codeSplitting: {
          // zod and the switch that turns its eval probe off load as one chunk, so the switch is set before
          // any schema in another chunk is built (see src/zodConfig.ts).
          groups: [{ name: (id: string) => (/[\\/]node_modules[\\/]zod[\\/]|[\\/]src[\\/]zodConfig\.ts$/.test(id) ? 'zod' : null) }],
        },
      },
    },
  },
});
