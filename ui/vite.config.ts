// Library mode: one ES module (Lit bundled in, no CDN) plus one CSS file, named by version.
import { readFileSync } from "node:fs";
import { defineConfig } from "vite";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as {
  version: string;
};

export default defineConfig({
  plugins: [
    {
      name: "academy-ui-version-banner",
      generateBundle(_options, bundle) {
        for (const file of Object.values(bundle)) {
          if (file.type === "chunk") file.code = `/*! academy-ui ${version} */\n${file.code}`;
        }
      },
    },
  ],
  define: { __ACADEMY_UI_VERSION__: JSON.stringify(version) },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    cssCodeSplit: false,
    lib: {
      entry: "src/index.ts",
      formats: ["es"],
      fileName: () => "academy-ui.js",
      cssFileName: "academy-ui",
    },
  },
});
