"""Settings of the browser plugin (``[plugins.browser]`` in plugins.toml)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from plugins.browser.url_policy import UrlPolicy

__all__ = ["BrowserSettings"]


class BrowserSettings(BaseModel):
    """Every key of ``[plugins.browser]``; unknown keys are an error."""

    model_config = ConfigDict(extra="forbid")

    headless: bool = True
    """Run the launched Chromium without a window."""
    cdp_url: str = ""
    """Attach to a running browser (``http://127.0.0.1:9222``) instead of launching one."""
    allowed_domains: list[str] = Field(default_factory=list)
    """Empty = every domain not denied. Entries cover subdomains; IPs and CIDRs allowed."""
    denied_domains: list[str] = Field(default_factory=list)
    search_url: str = "https://duckduckgo.com/html/?q={query}"
    timeout_ms: int = Field(10000, ge=100, le=600_000)
    """Timeout of each page operation (navigation, click, fill)."""
    downloads: bool = False
    """Allow downloads; they are saved to ``<data dir>/quarantine``."""
    allow_private_ips: bool = False
    """Allow private/link-local IP addresses (10.x, 192.168.x, 169.254.x) not listed."""
    allow_loopback: bool = False
    """Allow loopback (localhost, 127.0.0.0/8, ::1) not listed: tests and local development."""
    profile_dir: str = ""
    """Persistent browser profile directory; empty = a fresh profile for every task."""
    upload_dir: str = ""
    """The only folder files may be uploaded from; empty = uploads refused."""
    files_dir: str = ""
    """Where screenshots are written (relative paths are inside it); empty =
    ``<data dir>/plugins/browser/files``. A path outside is written only after the user
    confirms the resolved path."""
    executable: str = ""
    """Chromium binary; empty = $LAM_CHROMIUM, /usr/bin/chromium, or Playwright's own."""
    extra_args: list[str] = Field(default_factory=list)
    """Extra Chromium command-line switches."""
    max_text_chars: int = Field(4000, ge=200, le=200_000)
    """How much of the page's main text `read_page` returns."""
    max_entities: int = Field(60, ge=1, le=1000)
    """At most this many entities of each type are published per page."""

    @field_validator("search_url")
    @classmethod
    def _has_query(cls, value: str) -> str:
        if "{query}" not in value:
            raise ValueError("search_url must contain {query}")
        return value

    @model_validator(mode="after")
    def _lists_parse(self) -> BrowserSettings:
        self.policy()
        return self

    def policy(self, config_file: str = "") -> UrlPolicy:
        """The URL policy these settings describe; ``config_file`` is named in refusals."""
        return UrlPolicy.from_lists(self.allowed_domains, self.denied_domains,
                                    self.allow_private_ips, self.allow_loopback, config_file)
