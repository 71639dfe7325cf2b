// Component and logic unit tests (Vitest, the Vite toolchain's runner) in a happy-dom window.
import { defineConfig } from "vitest/config";

export default defineConfig({
  define: { __ACADEMY_UI_VERSION__: JSON.stringify("test") },
  test: { environment: "happy-dom", include: ["test/**/*.test.ts"] },
});
