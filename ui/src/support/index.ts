// The support screens, re-exported by ../index.ts (each module defines its custom elements).
export {};
