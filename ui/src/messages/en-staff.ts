// English texts of the staff screens (part of the one catalogue in ../messages.ts).
export const enStaff = {
  "myTracks.heading": "My training tracks",
  "myTracks.empty":
    "You have no training tracks yet. Tracks appear here once your operator goes live in a jurisdiction that needs training for your role.",
  "myTracks.progress": "{lessons} of {total} lessons completed ({percent}%)",
  "myTracks.progressLabel": "Progress of {title}",
  "myTracks.open": "Open {title}",
  "status.not_started": "Not started",
  "status.in_progress": "In progress",
  "status.training_complete": "Training complete: exam available",
  "status.certified": "Certified until {date}",
  "status.expired": "Certificate expired: retake the exam",
  "status.revoked": "Certificate revoked",
} as const;
