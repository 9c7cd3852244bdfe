import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The indexer serves the API and this build from one origin; in development Vite forwards /api to it.
const api = process.env.PLASMA_API ?? "http://127.0.0.1:8600";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    rolldownOptions: {
      output: {
        // Libraries in their own chunks: they change less often than the app, so browsers keep them cached.
        codeSplitting: {
          groups: [
            { name: "react", test: /node_modules[\\/](react|react-dom|react-router|scheduler|@tanstack)[\\/]/ },
            {
              name: "charts",
              test: /node_modules[\\/](recharts|d3-[a-z-]+|victory-vendor|@reduxjs|immer|reselect|redux|decimal\.js-light|es-toolkit)[\\/]/,
            },
            {
              name: "chain",
              test: /node_modules[\\/](viem|ox|abitype|@noble|@scure|@adraffy)[\\/]|packages[\\/](sdk|contracts)[\\/]/,
            },
          ],
        },
      },
    },
  },
  server: { proxy: { "/api": { target: api, changeOrigin: true } } },
  preview: { proxy: { "/api": { target: api, changeOrigin: true } } },
});
