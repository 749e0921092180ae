"""The journal's query-string redaction: secret keys and the control token never stay in clear."""

import pytest

from sandbox.controlplane.recorder import _query, redact_query


@pytest.mark.parametrize("raw, kept", [
    ("", ""),
    (None, None),
    ("page=2&limit=5", "page=2&limit=5"),  # nothing to hide: kept as sent, byte for byte
    ("path=%2Fv1&status=4xx", "path=%2Fv1&status=4xx"),
    ("paymentToken=PY_8AB12C9D3045", "paymentToken=PY_8AB12C9D3045"),  # not the `token` parameter
    ("key=sk_test_abc", "key=sk_test_[REDACTED]"),
])
def test_redact_query__keeps_what_is_not_secret(raw, kept):
    assert redact_query(raw) == kept


@pytest.mark.parametrize("raw, read_back", [
    ("key=sk_test_abc&token=s3cret", {"key": "sk_test_[REDACTED]", "token": "[REDACTED]"}),
    ("key=sk%5Ftest%5Fabc", {"key": "sk_test_[REDACTED]"}),  # percent-encoded, as a careful URL builder writes `_`
    ("Token=x%2Dy&state=an+unfunded+escrow", {"Token": "[REDACTED]", "state": "an unfunded escrow"}),
    ("token=%E2%9C%93secret&key=sk_live_zzz", {"token": "[REDACTED]", "key": "sk_live_[REDACTED]"}),
    ("seed=3&token=", {"seed": "3", "token": "[REDACTED]"}),
])
def test_redact_query__hides_keys_and_the_control_token(raw, read_back):
    redacted = redact_query(raw)
    assert _query(redacted) == read_back
    assert not any(secret in redacted for secret in ("abc", "s3cret", "x%2Dy", "secret", "zzz"))


def test_redact_query__is_read_back_as_sent_but_the_secrets():
    read_back = _query(redact_query("state=an+unfunded+escrow&seed=3&key=sk%5Ftest%5Fabc&token=t"))
    assert read_back == {"state": "an unfunded escrow", "seed": "3", "key": "sk_test_[REDACTED]", "token": "[REDACTED]"}
