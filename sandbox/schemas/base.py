"""Shared schema pieces: strict request base, wire field types and Joi-style error messages.

Payluk (a Node service) answers validation failures with a 400 and a one-line message.
Its exact validation texts are undocumented, so the sandbox words them the way Joi does
(`"amount" is required`, `"foo" is not allowed`), naming the offending field by its wire
path, e.g. `"milestones[1].title" must be a string`.
"""

from datetime import date
from decimal import Decimal

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from sandbox.clock import iso
from sandbox.domain.errors import BadRequest
from sandbox.domain.money import NUMBER_TEXT, exact_hundredths, kobo_to_wire
from sandbox.ids import is_object_id
from sandbox.schemas.fast import WireSchema, fast_load

_JOI = {
    "Missing data for required field.": "is required",
    "Unknown field.": "is not allowed",
    "Field may not be null.": "must not be null",
    "Not a valid string.": "must be a string",
    "Not a valid integer.": "must be an integer",
    "Not a valid boolean.": "must be a boolean",
    "Not a valid list.": "must be an array",
    "Invalid input type.": "must be an object",
    "Not a valid email address.": "must be a valid email",
    "Not a valid mapping type.": "must be an object",
    "Not a valid number.": "must be a number",
    "Not a valid URL.": "must be a valid uri",
    "Special numeric values (nan or infinity) are not permitted.": "must be a finite number",
}


class RequestSchema(WireSchema):
    """Request bodies: unknown fields are refused (400), as Payluk's validators do."""

    class Meta:
        unknown = RAISE


def _first_error(messages, path=""):
    """The first (path, message) in marshmallow's nested error dict, with a wire path."""
    if isinstance(messages, list):
        return path, str(messages[0])
    key, value = next(iter(messages.items()))
    if key == "_schema":
        return _first_error(value, path)
    if isinstance(key, int):
        sub = f"{path}[{key}]"
    else:
        sub = f"{path}.{key}" if path else str(key)
    return _first_error(value, sub)


def validation_message(messages) -> str:
    """One readable sentence for a marshmallow error, naming the field."""
    path, message = _first_error(messages)
    if not path:
        return "Request body must be a JSON object" if message in _JOI else message[:1].upper() + message[1:]
    text = _JOI.get(message, message)
    if text.startswith(("is ", "must ")):
        return f'"{path}" {text}'
    return f'"{path}": {text}'


def load(schema: Schema, data, partial: bool = False):
    """Load request data or raise a 400 in the Payluk envelope (never a 422)."""
    try:
        return fast_load(schema, data, partial)
    except ValidationError as err:
        raise BadRequest(validation_message(err.messages)) from None


def one_of(choices) -> validate.OneOf:
    """An enum validator whose message lists the allowed wire values."""
    return validate.OneOf(choices, error="must be one of [{choices}]")


NON_EMPTY = validate.Length(min=1, error="is not allowed to be empty")


class ObjectId(fields.String):
    """A 24-hex ObjectId-style id."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if not is_object_id(value):
            raise ValidationError("must be a valid id (24 hex characters)")
        return value.lower()


# Number.MAX_SAFE_INTEGER: Payluk is a Node service, and Joi refuses numbers beyond it by default
# (`"amount" must be a safe number`): a JavaScript number cannot hold them exactly.
MAX_SAFE_INTEGER = 2**53 - 1


def is_unsafe_number(value) -> bool:
    """A JSON number (not a boolean) outside +-MAX_SAFE_INTEGER (infinities included)."""
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) and abs(value) > MAX_SAFE_INTEGER


class WholeNumber(fields.Field):
    """A whole number; multipart sends digits as text, so `lenient` also takes "150000".
    Only ASCII digits count (`"²".isdigit()` is true), and numbers beyond MAX_SAFE_INTEGER are
    refused before any conversion (a 5,000-digit string would not even convert). `maximum`
    is an extra bound checked after `minimum`."""

    def __init__(self, *, lenient: bool = False, minimum: int = 1, maximum: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.lenient = lenient
        self.minimum = minimum
        self.maximum = maximum

    def _deserialize(self, value, attr, data, **kwargs):
        if self.lenient and isinstance(value, str):
            text = value.strip()
            if text.isascii() and text.isdigit():
                value = int(text) if len(text) <= 16 else MAX_SAFE_INTEGER + 1
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError("must be an integer")
        if is_unsafe_number(value):
            raise ValidationError("must be a safe number")
        if value < self.minimum:
            raise ValidationError(f"must be greater than or equal to {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            raise ValidationError(f"must be less than or equal to {self.maximum}")
        return value


class RawAmount(fields.Raw):
    """An amount whose type and sign the domain checks (with Payluk's documented messages);
    only a number JavaScript cannot hold exactly is refused here, as Joi does."""

    def _deserialize(self, value, attr, data, **kwargs):
        if is_unsafe_number(value):
            raise ValidationError("must be a safe number")
        return value


class Hundredths(fields.Field):
    """[B] a number >= 0 with at most 2 decimals (naira, or a percent), read exactly and loaded
    as a Decimal (`scaled`: as an int of hundredths: kobo, basis points). `lenient` also takes
    its text, as multipart sends it. `maximum` bounds it (in the unit sent)."""

    def __init__(self, *, lenient: bool = False, maximum: int | None = None, scaled: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.lenient = lenient
        self.maximum = maximum
        self.scaled = scaled

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)) or (
                isinstance(value, str) and not self.lenient):
            raise ValidationError("must be a number")
        if is_unsafe_number(value) or (isinstance(value, str) and len(value.strip()) > 20):
            raise ValidationError("must be a safe number")
        hundredths = exact_hundredths(value)
        if hundredths is None:
            if _is_number_text(value):
                raise ValidationError("must have no more than 2 decimal places")
            raise ValidationError("must be a number")
        if hundredths < 0:
            raise ValidationError("must be greater than or equal to 0")
        if self.maximum is not None and hundredths > self.maximum * 100:
            raise ValidationError(f"must be less than or equal to {self.maximum}")
        return hundredths if self.scaled else Decimal(hundredths).scaleb(-2)


def _is_number_text(value) -> bool:
    """Whether a value reads as a finite number at all (to tell "too many decimals" apart)."""
    if isinstance(value, str):
        return NUMBER_TEXT(value.strip()) is not None
    try:
        return Decimal(str(value)).is_finite()
    except ArithmeticError:
        return False


class StrictBool(fields.Boolean):
    """A JSON `true` / `false` only (marshmallow would also take "yes", 1, "on"...)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise ValidationError("must be a boolean")
        return value


class DateOnly(fields.String):
    """A calendar date `YYYY-MM-DD`, kept as text (Payluk echoes it as sent)."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValidationError("must be a valid date (YYYY-MM-DD)") from None
        if len(value) != 10:
            raise ValidationError("must be a valid date (YYYY-MM-DD)")
        return value


class Naira(fields.Field):
    """Dump kobo as naira: a JSON integer when whole, an exact 2-dp number otherwise."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else kobo_to_wire(value)


class Timestamp(fields.Field):
    """Dump epoch milliseconds as ISO-8601 with milliseconds and `Z`."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else iso(value)


class UnixSeconds(fields.Field):
    """Dump epoch milliseconds as a Unix-seconds *string*, Payluk's `paidAt` quirk."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(value // 1000)


def wire_number(value):
    """JSON encoder hook: exact decimals (non-whole naira) go out as numbers."""
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
