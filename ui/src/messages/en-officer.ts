// English texts of the officer screens (part of the one catalogue in ../messages.ts).
export const enOfficer = {} as const;
