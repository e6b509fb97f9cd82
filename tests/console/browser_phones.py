"""The browser phone's settings for the tests: an API key and a TwiML App of the test account
(Twilio never sees them: the tokens are checked here, with the key's secret)."""

from __future__ import annotations

from pydantic import SecretStr

from frontdoor.settings import Settings

API_KEY_SID = "SK" + "1" * 32
API_KEY_SECRET = "browser-phone-test-api-key-secret"
TWIML_APP_SID = "AP" + "2" * 32
PHONE_PAGE = "/console/navigateur?departement=dac46"
TOKEN_PATH = "/console/navigateur/jeton?departement=dac46"
REACH_PATH = "/console/navigateur/joignable?departement=dac46"


def with_browser_phone(settings: Settings, **more: object) -> Settings:
    return settings.model_copy(
        update={
            "twilio_api_key_sid": API_KEY_SID,
            "twilio_api_key_secret": SecretStr(API_KEY_SECRET),
            "twilio_twiml_app_sid": TWIML_APP_SID,
            **more,
        }
    )
