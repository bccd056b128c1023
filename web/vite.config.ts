import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

// The server serves the built editor under /ui/ and the API under /v1.
export default defineConfig({
  plugins: [react()],
  base: '/ui/',
  build: { outDir: 'dist' },
  server: {
    proxy: { '/v1': 'http://localhost:8080' },
  },
})
