// English texts of the support screens (part of the one catalogue in ../messages.ts).
export const enSupport = {} as const;
