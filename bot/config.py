"""One validated settings object, read from the environment and `.env`."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

HF_DATASET_ID = "Danielbrdz/Barcenas-Hackathon-2024-Somos-NLP-Transcripcion"


class Settings(BaseSettings):
    """Every setting of pide-ayuda; secrets have no default."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", env_ignore_empty=True, extra="ignore"
    )

    # Storage
    data_dir: Path = Field(default=Path("data"), validation_alias="PIDE_AYUDA_DATA_DIR")
    database_url: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

    # Corpus and index
    hf_dataset: str = HF_DATASET_ID
    chroma_url: str | None = None
    chroma_collection: str = "keynotes"
    embeddings_base_url: str | None = None
    embeddings_model: str | None = None
    embeddings_api_key: SecretStr | None = None
    retrieval_k: int = Field(default=5, ge=1, le=20)
    retrieval_min_score: float | None = None
    question_max_chars: int = Field(default=1500, ge=50)

    # Chat LLM
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout: float = Field(default=60.0, gt=0)
    llm_max_concurrency: int = Field(default=4, ge=1)
    llm_max_tokens: int = Field(default=600, ge=16)
    llm_temperature: float = Field(default=0.2, ge=0, le=2)
    llm_max_retries: int = Field(default=3, ge=0)

    # Q&A log
    export_salt: SecretStr | None = None
    retention_days: int = Field(default=0, ge=0)
    spool_replay_seconds: float = Field(default=30.0, gt=0)

    # Discord
    discord_token: SecretStr | None = None
    dev_guild_id: int | None = None
    allowed_channel_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    moderator_role_id: int | None = None
    user_cooldown_seconds: float = Field(default=20.0, ge=0)
    max_answers_in_flight: int = Field(default=8, ge=1)

    # Mentors in the loop (docs/mentors.md)
    mentor_role_id: int | None = None
    mentor_handoffs_per_day: int = Field(default=3, ge=1)
    curated_min_score: float | None = None

    # Help forums (docs/forums.md): forum channels whose posts the bot answers, every server
    help_forum_channel_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)

    # Operations: per-server defaults, health and metrics, logs, shards (docs/deployment.md)
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_host: str = "127.0.0.1"
    log_format: Literal["text", "json"] = "text"
    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: Annotated[list[int] | None, NoDecode] = None

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        """Accept the level in any case (`info`, `Info`)."""
        return value.upper() if isinstance(value, str) else value

    @field_validator("allowed_channel_ids", "help_forum_channel_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        """Accept a comma-separated list of ids from the environment."""
        if isinstance(value, str):
            return [int(part) for part in value.replace(" ", "").split(",") if part]
        return value

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _split_shard_ids(cls, value: object) -> object:
        """Accept a comma-separated list of shard ids from the environment."""
        if isinstance(value, str):
            return [int(part) for part in value.replace(" ", "").split(",") if part] or None
        return value

    @field_validator("shard_ids")
    @classmethod
    def _check_shard_ids(cls, value: list[int] | None, info: ValidationInfo) -> list[int] | None:
        """Require SHARD_COUNT with SHARD_IDS, and every id below it."""
        if value is None:
            return value
        count = info.data.get("shard_count")
        if count is None:
            raise ValueError("set SHARD_COUNT (the total number of shards) as well")
        if any(not 0 <= shard < count for shard in value):
            raise ValueError(f"every SHARD_IDS value must be from 0 to {count - 1}")
        return value

    @property
    def runs_periodic_jobs(self) -> bool:
        """Tell whether this process runs the jobs one process does for all: it holds shard 0."""
        return self.shard_ids is None or 0 in self.shard_ids

    def serves_guild(self, guild_id: int | None) -> bool:
        """Tell whether this process's shards receive `guild_id`'s events (None: shard 0's)."""
        if self.shard_count is None or self.shard_ids is None:
            return True
        if guild_id is None:
            return self.runs_periodic_jobs
        return (guild_id >> 22) % self.shard_count in self.shard_ids

    @cached_property
    def chroma_path(self) -> Path:
        """Folder of the embedded Chroma store."""
        return self.data_dir / "chroma"

    @cached_property
    def sqlalchemy_url(self) -> str:
        """Database URL, defaulting to a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'pide-ayuda.sqlite3').resolve()}"


def load_settings() -> Settings:
    """Read the settings from the environment and `.env`."""
    return Settings()


def describe_invalid_settings(error: ValidationError) -> str:
    """Name the first invalid setting as its environment variable, without echoing its value."""
    first = error.errors()[0]
    field = str(first["loc"][0]) if first["loc"] else ""
    alias = (
        Settings.model_fields[field].validation_alias if field in Settings.model_fields else None
    )
    variable = alias if isinstance(alias, str) else field.upper()
    return f"invalid setting {variable}: {first['msg']}; fix it in .env or the environment"
