// The staff screens, re-exported by ../index.ts (each module defines its custom elements).
export { AcademyExam } from "./exam.js";
export { AcademyLearning, VIEW_KEY, nextView, restoredView } from "./learning.js";
export type { LearningView } from "./learning.js";
export { AcademyLesson } from "./lesson.js";
export { AcademyMyCertificates } from "./my-certificates.js";
export { AcademyTrack } from "./track.js";
export { VIEW_READY, focusHeading } from "./shared.js";
export type * from "./types.js";
