// The assessment API's staff answers, as the staff screens read them
// (services/assessment/src/assessment/entrypoints/training_models.py, exams.py, certificates.py).
import type { CertificateBrief, Progress, TrackSummary } from "../api.js";

export interface ExamPolicy {
  question_count: number;
  pass_mark: number;
  time_limit_minutes: number;
  attempt_limit: number;
  cooldown_hours: number;
  feedback: "none" | "score" | "per_question";
  /** Modules to complete before an attempt may start; null: every module. */
  required_modules: string[] | null;
}

export interface LessonBrief {
  id: string;
  title: string;
  version: string;
  completed: boolean;
  href: string;
}

export interface ModuleDetail {
  id: string;
  title: string;
  version: string;
  origin: "core" | "jurisdiction";
  completed: boolean;
  lessons: LessonBrief[];
}

export interface TrackDetail extends TrackSummary {
  exam: ExamPolicy;
  modules: ModuleDetail[];
}

export interface LessonDetail {
  track_key: string;
  track_version: string;
  module_id: string;
  module_title: string;
  lesson_id: string;
  title: string;
  version: string;
  content_digest: string;
  markdown: string;
  /** Rendered and sanitised (nh3) by the service: safe to embed as it is. */
  html: string;
  completed: boolean;
  previous_lesson_id: string | null;
  next_lesson_id: string | null;
  completion_href: string;
}

export interface Completion {
  track_key: string;
  module_id: string;
  completed_lessons: string[];
  already_completed: boolean;
  module_completed: boolean;
  progress: Progress;
}

export type AttemptResult = "pass" | "fail";

export interface AttemptSummary {
  attempt_id: string;
  track_key: string;
  track_version: string;
  attempt_number: number;
  status: "open" | "submitted" | "timed_out";
  started_at: string;
  deadline: string;
  time_limit_minutes: number;
  submitted_at: string | null;
  result: AttemptResult | null;
}

export interface PaperQuestion {
  id: string;
  module_id: string;
  kind: "single" | "multiple";
  text: string;
  options: { id: string; text: string }[];
}

export interface WrongAnswer {
  question_id: string;
  question_text: string;
  explanation: string;
}

export interface IssuedCertificate {
  certificate_id: string;
  verification_code: string;
  passed_at: string;
  expires_at: string;
  recert_window_opens_at: string;
}

export interface AttemptOutcome {
  attempt_id: string;
  track_key: string;
  track_version: string;
  status: "submitted" | "timed_out";
  result: AttemptResult;
  submitted_at: string;
  feedback: "none" | "score" | "per_question";
  score: number | null;
  pass_mark: number | null;
  wrong_answers: WrongAnswer[] | null;
  certificate: IssuedCertificate | null;
}

export interface AttemptDetail extends AttemptSummary {
  paper: { questions: PaperQuestion[] } | null;
  outcome: AttemptOutcome | null;
}

export interface CertificateOut {
  certificate_id: string;
  jurisdiction: string;
  role: string;
  track_key: string;
  track_version: string;
  status: CertificateBrief["status"];
  passed_at: string;
  expires_at: string;
  recert_window_opens_at: string;
  verification_code: string;
  recertifies: string | null;
  superseded_by: string | null;
  revoked_at: string | null;
  revocation_reason: string | null;
}

/** Selected option ids per question id (what the submission sends). */
export type Answers = Record<string, string[]>;
