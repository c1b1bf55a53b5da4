"""An admin may edit every profile; an editor their organisation and its projects, nothing else."""

from dsi4bcn.web.principal import Principal


def test_an_editor_may_edit_only_their_organisation_and_its_projects() -> None:
    editor = Principal("e@a.example", "editor", "ateneu-a", 2)
    assert editor.may_edit("organisation", "ateneu-a", None)
    assert editor.may_edit("project", "taller", "ateneu-a")
    assert not editor.may_edit("organisation", "ateneu-b", None)
    assert not editor.may_edit("project", "taller", "ateneu-b")
    assert not editor.may_edit("project", "ateneu-a", None)
    assert not editor.is_admin
    admin = Principal("a@a.example", "admin")
    assert admin.may_edit("organisation", "ateneu-b", None) and admin.is_admin
