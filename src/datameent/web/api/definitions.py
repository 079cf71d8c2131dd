"""The attribute catalogue, public: anyone may know what the vault can hold."""

from __future__ import annotations

from fastapi import APIRouter

from datameent.domain.attributes import AttributeDefinition
from datameent.domain.catalogue import DEFINITIONS
from datameent.domain.text import Text
from datameent.web.api.schemas import AttributeDefinitionOut, ChoiceOut, LocalText

router = APIRouter(tags=["vault"])


def _text(text: Text | None) -> LocalText | None:
    return LocalText(nl=text.nl, en=text.en) if text else None


def _out(d: AttributeDefinition) -> AttributeDefinitionOut:
    return AttributeDefinitionOut(
        key=d.key,
        category=d.category.value,
        label=LocalText(nl=d.label.nl, en=d.label.en),
        type=d.value_type.value,
        text_format=d.text_format.value if d.text_format else None,
        unit=_text(d.unit),
        sensitivity=d.sensitivity.value,
        retention_years=d.retention_years,
        self_declarable=d.self_declarable,
        choices=[
            ChoiceOut(code=c.code, label=LocalText(nl=c.label.nl, en=c.label.en)) for c in d.choices
        ],
        minimum=float(d.minimum) if d.minimum is not None else None,
        maximum=float(d.maximum) if d.maximum is not None else None,
    )


@router.get(
    "/attribute-definitions",
    response_model=list[AttributeDefinitionOut],
    response_model_by_alias=True,
)
def list_definitions() -> list[AttributeDefinitionOut]:
    return [_out(d) for d in DEFINITIONS]
