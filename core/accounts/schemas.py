"""API models for accounts (hand-written Pydantic, so /schema stays valid)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class TokenRequest(BaseModel):
    username: str = Field(max_length=50)
    password: str = Field(max_length=200)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class RegisterRequest(BaseModel):
    name: str = Field(max_length=50, description="姓名")
    id_type: str = Field(default="居民身份证", description="证件类型")
    id_number: str = Field(max_length=40, description="证件号码")
    phone: str = Field(max_length=20, description="手机号码")
    username: str = Field(max_length=50)
    password: str = Field(max_length=200)
    password_confirm: str = Field(max_length=200)


class MeResponse(BaseModel):
    """The signed-in user, validated from core.actor.CurrentUser (role as its stored value,
    role_label its Chinese name)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    organisation_id: int | None = None

