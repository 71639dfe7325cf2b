"""A short human summary of a resolved catalogue (what `validate` prints on success)."""

from catalogue.domain.resolved import ResolvedCatalogue
from catalogue.domain.versions import short


def render_summary(catalogue: ResolvedCatalogue) -> str:
    modules = {m.id for track in catalogue.tracks for m in track.modules}
    lines = [
        f"catalogue {catalogue.id} {short(catalogue.version)}: "
        f"{len(catalogue.jurisdictions)} jurisdictions, {len(catalogue.tracks)} tracks, "
        f"{len(modules)} modules"
    ]
    width = max((len(t.key) for t in catalogue.tracks), default=0)
    for jurisdiction in catalogue.jurisdictions:
        policy = jurisdiction.release_policy
        needs = ", ".join(f"{count} x {role}" for role, count in policy.requirements)
        lines.append(
            f"{jurisdiction.code}: {jurisdiction.regulator}; release {short(policy.version)}: "
            f"{needs} -> {', '.join(policy.tooling)}"
        )
        for track in catalogue.tracks:
            if track.jurisdiction != jurisdiction.code:
                continue
            lines.append(
                f"  {track.key:<{width}}  {len(track.modules)} modules  "
                f"{len(track.question_pool):>3} questions  exam {track.exam.question_count} "
                f"@ {track.exam.pass_mark}%  {short(track.version)}"
            )
    return "\n".join(lines)
