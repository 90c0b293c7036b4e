"""Forms of the plan page: each posted edit becomes one of the engine's edit operations.

The plan page (generator/views_plan.py) posts one small form per edit, naming it in ``edit``;
:func:`edit_form` picks the form, and its ``to_op`` turns the cleaned data into the operation
``services.draft_apply`` hands to the engine (generator.engine.editing). The forms parse and
coerce only; whether an edit makes sense (a free name, a known entity) is the engine's to say.

Checkboxes come in pairs, a hidden ``false`` before the box's ``true``, so a form can tell an
unticked box (``false`` only) from one that was not shown (nothing), and change only what the
person could see. The human words for types, kinds and deletions live here too: the selects
need them, and the page's sentences use the same ones.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.text import capfirst

from generator.engine.spec import (
    Access,
    AppSpec,
    FeatureCategory,
    FieldSpec,
    FieldType,
    OnDelete,
    RelationKind,
    Relationship,
)
from generator.templatetags.spec_words import FIELD_TYPES

SPEC_UPLOAD_MAX = 256 * 1024  # bytes of a pasted or uploaded spec; a large app's is ~60 KB
NAME_MAX = 80

# The words the run page and the live panel use for types (generator/templatetags/spec_words.py).
FIELD_TYPE_LABELS = {kind: capfirst(FIELD_TYPES[kind]) for kind in FieldType}
FEATURE_LABELS = {
    FeatureCategory.AUTHENTICATION: "Sign-up and log-in",
    FeatureCategory.AUTHORIZATION: "Permissions",
    FeatureCategory.CRUD: "Create, edit and delete records",
    FeatureCategory.SEARCH: "Search",
    FeatureCategory.FILTERING: "Filtering",
    FeatureCategory.SORTING: "Sorting",
    FeatureCategory.PAGINATION: "Pages of results",
    FeatureCategory.NOTIFICATIONS: "Notifications",
    FeatureCategory.REALTIME: "Live updates",
    FeatureCategory.FILE_UPLOAD: "File uploads",
    FeatureCategory.REPORTING: "Reports",
    FeatureCategory.ANALYTICS: "Analytics",
    FeatureCategory.OTHER: "Something else",
}
# "Each Task ___ Project": the kind of a relationship, read from its source.
KIND_LABELS = {
    RelationKind.MANY_TO_ONE: "belongs to one",
    RelationKind.ONE_TO_ONE: "is paired with exactly one",
    RelationKind.MANY_TO_MANY: "is linked with many",
}
NUMERIC_TYPES = {FieldType.INTEGER, FieldType.DECIMAL, FieldType.FLOAT}
LENGTH_TYPES = {FieldType.STRING, FieldType.TEXT, FieldType.EMAIL, FieldType.URL, FieldType.SLUG}


ACCESS_LABELS = {
    Access.AUTO: "Decided by the app (a catalog others link to is read by all signed in)",
    Access.PRIVATE: "Its owners",
    Access.SIGNED_IN: "Every signed-in user",
    Access.PUBLIC: "Anyone, signed in or not",
}


def on_delete_labels(source_plural: str) -> dict[OnDelete, str]:
    """What happens to the sources when their target is deleted, in words."""
    return {
        OnDelete.CASCADE: f"delete its {source_plural} too",
        OnDelete.PROTECT: f"refuse while it has {source_plural}",
        OnDelete.SET_NULL: f"keep its {source_plural}, unlinked",
        OnDelete.RESTRICT: f"refuse, unless its {source_plural} are deleted with it",
    }


def choices_text(field: FieldSpec) -> str:
    """A field's choices as the choices box shows them: one label a line."""
    return "\n".join(choice.label or choice.value for choice in field.choices)


def number_text(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value.is_integer() else repr(value)


def _choice_list(text: str, field: FieldSpec | None) -> list[dict[str, str]]:
    """Lines as choices; a line naming an existing choice keeps that choice's stored value."""
    known = {}
    for choice in field.choices if field else []:
        known[choice.value.lower()] = choice
        known[(choice.label or choice.value).lower()] = choice
    choices = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            kept = known.get(line.lower())
            choices.append(
                {"value": kept.value, "label": line} if kept else {"value": line, "label": line}
            )
    return choices


def _flag(label: str) -> forms.BooleanField:
    # The page posts "false" then, when ticked, "true"; CheckboxInput reads the last of them.
    return forms.BooleanField(label=label, required=False)


def _name(label: str = "Name") -> forms.CharField:
    return forms.CharField(label=label, max_length=NAME_MAX)


def _type_field(*, required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Type",
        required=required,
        choices=[(t.value, label) for t, label in FIELD_TYPE_LABELS.items()],
        error_messages={"invalid_choice": "Choose a type from the list."},
    )


def _kind_field(*, required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Kind",
        required=required,
        choices=[(k.value, label) for k, label in KIND_LABELS.items()],
        error_messages={"invalid_choice": "Choose a kind of link from the list."},
    )


def _on_delete_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="When it is deleted",
        required=False,
        choices=[(o.value, o.value) for o in OnDelete],
        error_messages={"invalid_choice": "Choose what happens on deletion from the list."},
    )


class EditForm(forms.Form):
    """One edit: ``op`` names the engine operation; ``to_op`` builds it from the cleaned data."""

    op: ClassVar[str]

    def __init__(self, data: QueryDict, spec: AppSpec) -> None:
        super().__init__(data)
        self.spec = spec

    def posted(self, name: str) -> bool:
        """Whether the page showed (and so posted) this input."""
        return name in self.data

    def changes_nothing(self) -> bool:
        """Whether the edit, as posted, would leave the plan as it is (nothing to apply)."""
        return False

    def to_op(self) -> dict[str, Any]:
        return {"op": self.op, **self.cleaned_data}


class AddEntityForm(EditForm):
    op = "add_entity"
    name = _name()


class RemoveEntityForm(EditForm):
    op = "remove_entity"
    name = _name()


class RenameEntityForm(EditForm):
    op = "rename_entity"
    old = _name("Old name")
    new = _name("New name")


class AddFieldForm(EditForm):
    op = "add_field"
    entity = _name("Entity")
    name = _name()
    type = _type_field()
    required = _flag("Required")
    choices = forms.CharField(label="Choices", required=False, widget=forms.Textarea)

    def to_op(self) -> dict[str, Any]:
        data = self.cleaned_data
        field: dict[str, Any] = {
            "name": data["name"],
            "type": data["type"],
            "required": data["required"],
        }
        if data["type"] == FieldType.ENUM:
            field["choices"] = _choice_list(data["choices"], None)
        return {"op": self.op, "entity": data["entity"], "field": field}


class RemoveFieldForm(EditForm):
    op = "remove_field"
    entity = _name("Entity")
    name = _name()


class RenameFieldForm(EditForm):
    op = "rename_field"
    entity = _name("Entity")
    old = _name("Old name")
    new = _name("New name")


class ChangeFieldForm(EditForm):
    """A field's settings; only those shown and changed become the op's ``changes``."""

    op = "change_field"
    entity = _name("Entity")
    name = _name()
    type = _type_field(required=False)
    required = _flag("Required")
    unique = _flag("Unique")
    choices = forms.CharField(label="Choices", required=False, widget=forms.Textarea)
    min_value = forms.FloatField(label="Minimum", required=False)
    max_value = forms.FloatField(label="Maximum", required=False)
    max_length = forms.IntegerField(label="Longest", required=False, min_value=1, max_value=10000)
    default = forms.CharField(label="Default", required=False, max_length=200)
    label = forms.CharField(label="Label", required=False, max_length=100)
    help_text = forms.CharField(label="Help text", required=False, max_length=500)

    def field_spec(self) -> FieldSpec | None:
        entity = self.spec.entity(self.cleaned_data.get("entity", ""))
        return entity.field(self.cleaned_data.get("name", "")) if entity else None

    def changes(self) -> dict[str, Any]:
        field = self.field_spec()
        if field is None:  # the engine names the unknown entity or field
            return {}
        data = self.cleaned_data
        wanted: dict[str, Any] = {}
        if self.posted("type") and data["type"] and data["type"] != field.type:
            wanted["type"] = data["type"]
        for flag in ("required", "unique"):
            if self.posted(flag) and data[flag] != getattr(field, flag):
                wanted[flag] = data[flag]
        if self.posted("choices") or wanted.get("type") == FieldType.ENUM:
            choices = _choice_list(data["choices"], field)
            if choices != [c.model_dump(mode="json") for c in field.choices]:
                wanted["choices"] = choices
        for number in ("min_value", "max_value", "max_length"):
            if self.posted(number) and data[number] != getattr(field, number):
                wanted[number] = data[number]
        if self.posted("default"):
            shown = "" if field.default is None else str(field.default)
            if data["default"] != shown:
                wanted["default"] = data["default"] or None
        for text in ("label", "help_text"):
            if self.posted(text) and data[text] != getattr(field, text):
                wanted[text] = data[text]
        return wanted

    def changes_nothing(self) -> bool:
        return self.field_spec() is not None and not self.changes()

    def to_op(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "op": self.op,
            "entity": data["entity"],
            "name": data["name"],
            "changes": self.changes(),
        }


class RelationshipForm(EditForm):
    """Names one relationship by its source, target and name."""

    source = _name("From")
    target = _name("To")
    name = forms.CharField(label="Name", required=False, max_length=NAME_MAX)

    def which(self) -> dict[str, Any]:
        data = self.cleaned_data
        found = {"source": data["source"], "target": data["target"]}
        return {**found, "name": data["name"]} if data["name"] else found


class AddRelationshipForm(RelationshipForm):
    op = "add_relationship"
    kind = _kind_field()
    required = _flag("Required")
    on_delete = _on_delete_field()

    def to_op(self) -> dict[str, Any]:
        data = self.cleaned_data
        op = {"op": self.op, "kind": data["kind"], **self.which()}
        if self.posted("required"):
            op["required"] = data["required"]
        if data["on_delete"]:
            op["on_delete"] = data["on_delete"]
        return op


class RemoveRelationshipForm(RelationshipForm):
    op = "remove_relationship"

    def to_op(self) -> dict[str, Any]:
        return {"op": self.op, **self.which()}


class ChangeRelationshipForm(RelationshipForm):
    """Kind, required and on-delete as shown; ``flip`` turns the link around."""

    op = "change_relationship"
    kind = _kind_field(required=False)
    required = _flag("Required")
    on_delete = _on_delete_field()
    flip = forms.BooleanField(required=False)

    def current(self) -> Relationship | None:
        data = self.cleaned_data
        return next(
            (
                r
                for r in self.spec.relationships
                if (r.source, r.target) == (data["source"], data["target"])
                and (not data["name"] or r.name == data["name"])
            ),
            None,
        )

    def changes(self) -> dict[str, Any]:
        current, data = self.current(), self.cleaned_data
        if current is None:  # the engine names the unknown link
            return {}
        wanted: dict[str, Any] = {}
        for key in ("kind", "on_delete"):
            if self.posted(key) and data[key] and data[key] != getattr(current, key):
                wanted[key] = data[key]
        if self.posted("required") and data["required"] != current.required:
            wanted["required"] = data["required"]
        return wanted

    def changes_nothing(self) -> bool:
        return not self.cleaned_data["flip"] and self.current() is not None and not self.changes()

    def to_op(self) -> dict[str, Any]:
        reverse = self.cleaned_data["flip"]
        return {"op": self.op, **self.which(), "changes": self.changes(), "reverse": reverse}


class RoleForm(EditForm):
    name = _name("Role")


class AddRoleForm(RoleForm):
    op = "add_role"


class RemoveRoleForm(RoleForm):
    op = "remove_role"


class SetAccessForm(EditForm):
    op = "set_access"
    entity = _name("Entity")
    access = forms.ChoiceField(
        label="Who reads it",
        choices=[(a.value, label) for a, label in ACCESS_LABELS.items()],
        error_messages={"invalid_choice": "Choose who reads it from the list."},
    )

    def changes_nothing(self) -> bool:
        found = self.spec.entity(self.cleaned_data["entity"])
        return found is not None and found.access == self.cleaned_data["access"]


class AddFeatureForm(EditForm):
    op = "add_feature"
    name = _name("Feature")
    category = forms.ChoiceField(
        label="Kind",
        choices=[(c.value, label) for c, label in FEATURE_LABELS.items()],
        error_messages={"invalid_choice": "Choose a kind of feature from the list."},
    )


class RemoveFeatureForm(EditForm):
    op = "remove_feature"
    name = forms.CharField(label="Feature", max_length=200)


COMPARE_LABELS = {
    "gt": "after / above",
    "gte": "at or after / at least",
    "lt": "before / below",
    "lte": "at or before / at most",
}


class RuleForm(EditForm):
    entity = _name("Entity")
    field = _name("Field")
    other = _name("Other field")


class AddComparisonForm(RuleForm):
    op = "add_comparison"
    compare = forms.ChoiceField(
        label="Comparison",
        choices=list(COMPARE_LABELS.items()),
        error_messages={"invalid_choice": "Choose how the two fields compare."},
    )


class RemoveComparisonForm(RuleForm):
    op = "remove_comparison"


class OnePerForm(EditForm):
    """A "one per …" rule; its fields post as several ``members`` values."""

    entity = _name("Entity")
    members = forms.MultipleChoiceField(
        label="Fields",
        error_messages={"required": "Choose the fields that together may appear only once."},
    )

    def __init__(self, data: QueryDict, spec: AppSpec) -> None:
        super().__init__(data, spec)
        posted = data.getlist("members")
        members = self.fields["members"]
        assert isinstance(members, forms.MultipleChoiceField)
        members.choices = [(name, name) for name in posted[:10]]

    def to_op(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"op": self.op, "entity": data["entity"], "fields": list(data["members"])}


class AddUniqueTogetherForm(OnePerForm):
    op = "add_unique_together"


class RemoveUniqueTogetherForm(OnePerForm):
    op = "remove_unique_together"


class DismissWarningForm(EditForm):
    op = "dismiss_warning"
    text = forms.CharField(label="Warning", max_length=4000)


EDIT_FORMS: dict[str, type[EditForm]] = {
    form.op: form
    for form in (
        AddEntityForm,
        RemoveEntityForm,
        RenameEntityForm,
        AddFieldForm,
        RemoveFieldForm,
        RenameFieldForm,
        ChangeFieldForm,
        AddRelationshipForm,
        RemoveRelationshipForm,
        ChangeRelationshipForm,
        AddRoleForm,
        RemoveRoleForm,
        SetAccessForm,
        AddFeatureForm,
        RemoveFeatureForm,
        AddComparisonForm,
        RemoveComparisonForm,
        AddUniqueTogetherForm,
        RemoveUniqueTogetherForm,
        DismissWarningForm,
    )
}


def edit_form(data: QueryDict, spec: AppSpec) -> EditForm | None:
    """The form of the posted edit (``op``), bound; None for an edit the page does not make."""
    form_class = EDIT_FORMS.get(data.get("op", ""))
    return form_class(data, spec) if form_class else None


def form_problems(form: forms.Form) -> list[str]:
    """A form's errors as sentences, each naming its input unless it is the form's own."""
    problems: list[str] = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        problems.extend(f"{label}: {error}" if label else str(error) for error in errors)
    return problems


class SpecUploadForm(forms.Form):
    """A whole spec, pasted or uploaded (the file wins), read as YAML or JSON."""

    text = forms.CharField(
        label="Paste a spec",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text="YAML or JSON, as the command line's --spec takes it.",
    )
    file = forms.FileField(
        label="or upload a file",
        required=False,
        help_text=f"A .yaml, .yml or .json file of at most {SPEC_UPLOAD_MAX // 1024} KB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,.json"}),
    )

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"]
        if len(text.encode()) > SPEC_UPLOAD_MAX:
            raise ValidationError(f"Paste at most {SPEC_UPLOAD_MAX // 1024} KB.")
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            if upload.size is not None and upload.size > SPEC_UPLOAD_MAX:
                self.add_error("file", f"Upload at most {SPEC_UPLOAD_MAX // 1024} KB.")
                return data
            try:
                data["text"] = upload.read(SPEC_UPLOAD_MAX + 1).decode("utf-8")
            except UnicodeDecodeError:
                self.add_error("file", "The file is not UTF-8 text.")
                return data
        if not self.errors and not data.get("text", "").strip():
            raise ValidationError("Paste a spec or choose a file.")
        return data
