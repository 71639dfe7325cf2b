// English texts of the support screens (part of the one catalogue in ../messages.ts).
export const enSupport = {
  // Fields shared by the support forms
  "support.field.operator": "Operator id",
  "support.field.operatorHint": "The operator's id as the academy knows it, for example op-123.",
  "support.field.operatorFormat":
    "Enter an operator id: letters, digits, '.', '_' or '-', starting with a letter or digit, at most 64 characters.",
  "support.field.jurisdiction": "Jurisdiction",
  "support.field.jurisdictionHint": "The jurisdiction's code in capitals, for example MGA.",
  "support.field.jurisdictionFormat":
    "Enter a jurisdiction code: 2 to 16 capital letters, digits or '_', starting with a letter, for example MGA.",
  "support.field.staff": "Staff id",
  "support.field.staffHint": "The staff member's id from their sign-in.",
  "support.field.staffFormat":
    "Enter a staff id: letters, digits and . _ : @ + | -, starting with a letter or digit, without spaces.",
  "support.field.track": "Track key",
  "support.field.trackHint": "Jurisdiction and role, for example MGA.compliance_officer.",
  "support.field.trackFormat":
    "Enter a track key: the jurisdiction code, a dot and the role in small letters, for example MGA.compliance_officer.",
  "support.field.certificate": "Certificate id",
  "support.field.certificateHint": "The certificate's id, as on its page (not the verification code).",
  "support.field.recordFormat":
    "Enter an id: letters, digits, '.', '_', ':' or '-', starting with a letter or digit, without spaces.",
  "support.field.reason": "Reason (recorded in the audit log with your name)",
  "support.field.reasonHint": "Say why, for example the ticket number and what was asked.",
  "support.field.required": "This is required.",
  "support.field.reasonShort": "Give a reason of at least 3 characters.",
  "support.field.reasonLong": "Keep the reason to 1000 characters or fewer.",
  "support.form.fixFields": "Nothing was changed. Correct the fields marked below and try again.",
  "support.form.useSuggestion": "Use {value}",
  "support.form.recordedBy": "Recorded with your name ({actor}) and your reason.",

  // Deliveries
  "support.deliveries.heading": "Deliveries to the portal",
  "support.deliveries.filters": "Filter deliveries",
  "support.deliveries.status": "Status",
  "support.deliveries.anyStatus": "Any status",
  "support.deliveries.apply": "Show deliveries",
  "support.deliveries.refresh": "Refresh",
  "support.deliveries.caption": "Deliveries, newest first",
  "support.deliveries.id": "Delivery (webhook id)",
  "support.deliveries.type": "Type",
  "support.deliveries.operator": "Operator",
  "support.deliveries.jurisdiction": "Jurisdiction",
  "support.deliveries.state": "State",
  "support.deliveries.attempts": "Attempts",
  "support.deliveries.decided": "Decided",
  "support.deliveries.actions": "Actions",
  "support.deliveries.empty": "No deliveries yet. A delivery appears here once a release, revocation or notice is decided.",
  "support.deliveries.noneMatch": "No deliveries match these filters.",
  "support.deliveries.newest": "Showing the newest {count}. Filter by operator or status to find older ones.",
  "support.deliveries.loadingAttempts": "Loading the attempts…",
  "support.status.pending": "Pending",
  "support.status.held": "Held",
  "support.status.parked": "Parked",
  "support.status.delivered": "Delivered",
  "support.status.other": "{status}",
  "support.delivery.delivered": "The portal acknowledged it on {at}.",
  "support.delivery.waiting": "Not sent yet; it goes out at the next round ({at}).",
  "support.delivery.retrying": "{count} attempt(s) failed; the next attempt is due {at}.",
  "support.delivery.held":
    "Held: the portal rejected the webhook signature. It is sent again when the breaker closes or on redeliver.",
  "support.delivery.parked.endpoint_gone":
    "Parked: the portal said this endpoint is gone (HTTP 410). Redeliver once the portal is back.",
  "support.delivery.parked.permanent_rejection":
    "Parked: the portal refused it for good (HTTP {code}). Redeliver once the portal accepts it.",
  "support.delivery.parked.retry_window_exhausted":
    "Parked: every attempt in the retry window failed. Redeliver once the portal answers again.",
  "support.delivery.parked.other": "Parked ({cause}). Redeliver once the cause is fixed.",
  "support.attempts.caption": "Attempts of {id}",
  "support.attempts.empty": "No attempt yet.",
  "support.attempts.number": "Attempt",
  "support.attempts.started": "Started",
  "support.attempts.answer": "Portal's answer",
  "support.attempts.outcome": "Outcome",
  "support.attempts.error": "Error",
  "support.attempt.http": "HTTP {code}",
  "support.attempt.waiting": "Waiting for the answer",
  "support.attempt.noResponse.timeout": "No answer in time",
  "support.attempt.noResponse.connect": "Could not connect",
  "support.attempt.noResponse.transport": "Connection broke off",
  "support.attempt.noResponse.invalid_url": "The endpoint's address is not valid",
  "support.attempt.noResponse.other": "No answer",
  "support.attempt.delivered": "Delivered",
  "support.attempt.retry": "Failed; retried later",
  "support.attempt.held": "Held (signature rejected)",
  "support.attempt.parked": "Parked",
  "support.attempt.superseded": "Superseded (another worker took it over)",
  "support.attempt.abandoned": "Abandoned: the worker stopped, outcome unknown",
  "support.attempt.open": "In progress",
  "support.attempt.unknown": "Finished, outcome not recorded",
  "support.attempt.other": "{step}",
  "support.redeliver.button": "Redeliver",
  "support.redeliver.confirmHeading": "Redeliver {id}?",
  "support.redeliver.confirmBody":
    "The bridge sends this webhook to {operator}'s portal again now, with a fresh retry window. It is {status} now.",
  "support.redeliver.confirm": "Redeliver now",
  "support.redeliver.busy": "Redelivering…",
  "support.redeliver.done": "{id} was queued again by {actor}: it is {status} now and goes out at the next round.",

  // Breakers
  "support.breakers.heading": "Circuit breakers",
  "support.breakers.intro":
    "A breaker stops deliveries to a portal endpoint that keeps failing, and lets them through again after a cool-down.",
  "support.breakers.empty":
    "No breaker has recorded a state yet: no delivery has been attempted, so deliveries flow normally.",
  "support.breakers.state": "State",
  "support.breakers.why": "Why",
  "support.breakers.since": "Since",
  "support.breakers.always": "Since the bridge started",
  "support.breakers.coolDown": "Cool-down ends",
  "support.breakers.reset": "Reset",
  "support.breakers.refresh": "Refresh breakers",
  "support.breakers.busy": "Resetting the breaker…",
  "support.breakers.confirmHeading": "Reset the breaker of {endpoint}?",
  "support.breakers.confirmBody":
    "It is {status} now. A reset closes it, clears its counters and lets held deliveries go to {endpoint} again.",
  "support.breakers.done": "The breaker of {endpoint} was reset from {from} to {to}: deliveries flow again.",
  "support.breaker.closed": "Closed",
  "support.breaker.open": "Open",
  "support.breaker.half_open": "Half-open",
  "support.breaker.why.forcedOpen":
    "Forced open by support: deliveries wait until someone resets it or forces it closed.",
  "support.breaker.why.forcedClosed":
    "Forced closed by support; failures are counted but do not open it until someone resets it.",
  "support.breaker.why.probing":
    "The cool-down is over; test deliveries decide whether it closes ({successes} succeeded so far).",
  "support.breaker.why.signatures":
    "The portal rejected the webhook signature {count} time(s) in a row; deliveries wait for the cool-down.",
  "support.breaker.why.failures": "{failures} of {calls} deliveries failed in the recent window; deliveries wait for the cool-down.",
  "support.breaker.why.openedEarlier": "It opened after deliveries failed; the counters have been cleared since.",
  "support.breaker.why.closedWithFailures": "Deliveries flow; {failures} of {calls} failed in the recent window.",
  "support.breaker.why.healthy": "Deliveries flow; none failed in the recent window.",

  // Force-release
  "support.force.heading": "Force-release tooling",
  "support.force.intro":
    "Unlock an operator's tooling in a jurisdiction by hand, without the certificates its release policy asks for. Use only when the normal release cannot happen; it is audited.",
  "support.force.submit": "Force-release…",
  "support.force.busy": "Releasing…",
  "support.force.confirmHeading": "Force-release {jurisdiction} for {operator}?",
  "support.force.confirmBody":
    "Tooling will be unlocked for {operator} in {jurisdiction} now, whatever their certificates say. The portal is told by webhook, and the release is recorded with your name and reason.",
  "support.force.confirmOutside":
    "{jurisdiction} is not one of {operator}'s go-live jurisdictions: the release is recorded as outside go-live.",
  "support.force.confirm": "Unlock tooling",
  "support.force.outsideGoLive":
    "{operator} is going live in {goLive}, not in {jurisdiction}. To release {jurisdiction} anyway, tick the box below and send again.",
  "support.force.noGoLive": "no jurisdiction",
  "support.force.outsideLabel": "Release even though this jurisdiction is outside the operator's go-live jurisdictions",
  "support.force.done": "Tooling is unlocked. The release goes to the portal as a webhook:",
  "support.force.releaseId": "Release (webhook id)",
  "support.force.recordedAs": "Recorded as",
  "support.force.deliveryState": "Delivery",
  "support.force.showDelivery": "Show in deliveries",
  "support.force.checkAgain": "Check the delivery again",

  // Staff overrides
  "support.reset.heading": "Reset exam attempts",
  "support.reset.intro":
    "Start a new certification cycle for one staff member on one track: no attempts used, no cooldown.",
  "support.reset.submit": "Reset attempts…",
  "support.reset.confirm": "Reset attempts",
  "support.reset.busy": "Resetting attempts…",
  "support.reset.confirmHeading": "Reset the attempts of {staff}?",
  "support.reset.confirmBody":
    "{staff} of {operator} may start the {track} exam again at once, with every attempt available.",
  "support.reset.done": "The attempts of {staff} on {track} ({operator}) were reset on {at}: a new cycle, no cooldown.",
  "support.waiver.heading": "Waive the training",
  "support.waiver.intro":
    "Let one staff member start the exam of a track's current version without completing its required modules. It completes nothing.",
  "support.waiver.submit": "Waive the training…",
  "support.waiver.confirm": "Waive the training",
  "support.waiver.busy": "Waiving the training…",
  "support.waiver.confirmHeading": "Waive the training of {staff}?",
  "support.waiver.confirmBody":
    "{staff} of {operator} may start the {track} exam without the required modules; the modules stay not completed, and releases show the training as waived.",
  "support.waiver.done": "The training of {staff} on {track} (version {version}) was waived on {at}.",
  "support.waiver.modules": "Modules waived: {modules}.",
  "support.waiver.noModules": "No module was waived: every required module was already complete.",
  "support.revoke.heading": "Revoke a certificate",
  "support.revoke.intro":
    "A revocation cannot be undone: the certificate stops being valid now, and tooling released on it may be withdrawn.",
  "support.revoke.submit": "Revoke the certificate…",
  "support.revoke.confirm": "Revoke for good",
  "support.revoke.busy": "Revoking the certificate…",
  "support.revoke.confirmHeading": "Revoke certificate {certificate}?",
  "support.revoke.confirmBody":
    "This cannot be undone. The certificate of {operator}'s staff member stops being valid now; only a new exam gives a new one.",
  "support.revoke.done": "Certificate {certificate} ({track}) was revoked on {at}.",
} as const;
