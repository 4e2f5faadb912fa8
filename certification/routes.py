"""What the certification package adds to the app: its route handlers and its set-up hook."""

from __future__ import annotations

from typing import Any

from certification.controllers.approval import ApprovalApi, ApprovalPages
from certification.controllers.catalogue import CataloguePages
from certification.controllers.downloads import CertificatesApi, DownloadPages
from certification.controllers.external import RECORDING_ROLES, ExternalApi, ExternalPages
from certification.controllers.holder import HolderApi, HolderPages
from certification.controllers.public import (
    PublicVerificationApi,
    PublishedDocuments,
    VerificationPages,
)
from certification.controllers.registry import RegistryApi, RegistryPages
from certification.controllers.reviews import ReviewApi, ReviewPages

ROUTES: list[Any] = [
    PublicVerificationApi, VerificationPages, PublishedDocuments, DownloadPages, CertificatesApi,
    RegistryPages, RegistryApi, ExternalPages, ExternalApi, HolderPages, HolderApi,
    CataloguePages, ApprovalPages, ApprovalApi, ReviewPages, ReviewApi,
]


def setup() -> None:
    """Register navigation entries, dashboard cards, credential listeners and demo seeders."""
    from certification import demo
    from certification.access import ISSUING_ROLES, OFFICER_ROLES
    from core.demo import SEEDERS
    from core.roles import Role
    from core.web import register_card, register_nav

    register_nav("证书查验", "/verify", None, order=70)
    register_nav("我的证书", "/my/certificates/", [Role.TRAINEE], order=30)
    register_nav("考核审核", "/certification/sessions/", ISSUING_ROLES, order=30)
    register_nav("证书登记簿", "/certification/certificates/", OFFICER_ROLES, order=31)
    register_nav("证书目录", "/certification/catalogue/", ISSUING_ROLES, order=33)
    register_nav("证书核查", "/certification/reviews/", ISSUING_ROLES, order=32)
    register_nav("外部证件", "/certification/external/", RECORDING_ROLES, order=34)
    register_card("考核结果审核", "审核培训机构提交的考核成绩，通过后向合格考生发证。",
                  "/certification/sessions/", ISSUING_ROLES, order=20)
    register_card("证书登记簿", "查找证书，办理暂停、恢复、撤销、补发，导出与统计。",
                  "/certification/certificates/", OFFICER_ROLES, order=21)
    register_card("我的证书", "下载证书 PDF 和可验证凭证，分享查验链接。",
                  "/my/certificates/", [Role.TRAINEE], order=20)
    register_card("外部证件登记", "登记保安员证、健康检查、背景审查等外部证件。",
                  "/certification/external/", RECORDING_ROLES, order=40)
    register_card("证书查验", "按证书编号和姓名核验从业人员证书。", "/verify",
                  [Role.FACILITY_OPERATOR], order=41)
    from certification import notices
    from core.credentials import on_credential_changed

    on_credential_changed(notices.on_credential_changed)  # SMS notices to the holder
    if demo.seed_key not in SEEDERS:
        SEEDERS.insert(0, demo.seed_key)  # before any demo issues a certificate
    if demo.seed not in SEEDERS:
        SEEDERS.append(demo.seed)
