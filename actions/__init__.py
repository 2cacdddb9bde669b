"""lam's action contract and plugin SDK. Importable without the rest of lam."""

from actions.context import ActionContext
from actions.effects import Effect
from actions.entities import Entity, Provenance, Scope
from actions.errors import (
    ActionDeclarationError,
    ConfigError,
    LamError,
    PluginError,
    UserInputError,
)
from actions.plan import ActionResult, Plan, PlanKind, Step, StepRef, ValueSource, is_step_ref
from actions.plugin import Capabilities, JournalWriter, NoSettings, PlanRunner, Plugin
from actions.spec import ActionSpec, Condition, action, collect_actions
from actions.types import (
    Email,
    EntityRef,
    LongText,
    Recurrence,
    Sensitive,
    ShortText,
    Url,
    When,
    entity_type_of,
    format_of,
    is_sensitive,
)
from actions.violations import Violation, ViolationReason

__all__ = [
    "ActionContext",
    "ActionDeclarationError",
    "ActionResult",
    "ActionSpec",
    "Capabilities",
    "Condition",
    "ConfigError",
    "Effect",
    "Email",
    "Entity",
    "EntityRef",
    "JournalWriter",
    "LamError",
    "LongText",
    "NoSettings",
    "Plan",
    "PlanKind",
    "PlanRunner",
    "Plugin",
    "PluginError",
    "Provenance",
    "Recurrence",
    "Scope",
    "Sensitive",
    "ShortText",
    "Step",
    "StepRef",
    "Url",
    "UserInputError",
    "ValueSource",
    "Violation",
    "ViolationReason",
    "When",
    "action",
    "collect_actions",
    "entity_type_of",
    "format_of",
    "is_sensitive",
    "is_step_ref",
]
