"""Which tracks a staff member trains for: their roles in their operator's jurisdictions."""

import pytest
from assessment_builders import track

from assessment.domain.assignment import assigned_tracks, check_assigned
from assessment.domain.errors import TrackNotAssigned


def test_only_tracks_of_my_roles_in_my_operators_jurisdictions_are_assigned() -> None:
    tracks = [
        track(jurisdiction="MGA", role="compliance_officer"),
        track(jurisdiction="MGA", role="mlro"),
        track(jurisdiction="GCB", role="compliance_officer"),
        track(jurisdiction="GSC", role="compliance_officer"),
    ]
    mine = assigned_tracks(tracks, roles={"compliance_officer"}, jurisdictions=["MGA", "GCB"])
    assert [t.track_key for t in mine] == ["GCB.compliance_officer", "MGA.compliance_officer"]


def test_a_track_outside_the_operators_jurisdictions_is_refused_naming_them() -> None:
    with pytest.raises(TrackNotAssigned) as refused:
        check_assigned(
            track(jurisdiction="GSC"), roles={"compliance_officer"}, jurisdictions=["MGA"]
        )
    assert "not going live in GSC" in refused.value.message
    assert "(its jurisdictions: MGA)" in refused.value.message


def test_a_track_for_a_role_i_do_not_hold_is_refused_naming_the_role() -> None:
    with pytest.raises(TrackNotAssigned) as refused:
        check_assigned(track(role="mlro"), roles={"compliance_officer"}, jurisdictions=["MGA"])
    assert "role mlro" in refused.value.message


def test_an_assigned_track_passes_the_check() -> None:
    check_assigned(track(), roles={"compliance_officer", "mlro"}, jurisdictions=["MGA"])
