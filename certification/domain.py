"""What the certification package brings: its routes, navigation, home cards, tables, demo
data (the signing key first), the holder's notices on credential changes, and the worker's
render-and-sign jobs with the nightly expiry (see core.domain)."""

from __future__ import annotations

from certification import demo, jobs, labels, notices
from certification.access import ISSUING_ROLES, OFFICER_ROLES
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
from certification.services import verification
from certification.tables import TABLES
from certification.training_port import FOR_TRAINING
from core import credentials
from core.domain import Background, Domain, Seeder, card, nav
from core.labels import LABELS
from core.roles import Role
from training import ports

DOMAIN = Domain(
    name="certification",
    routes=(
        PublicVerificationApi, VerificationPages, PublishedDocuments, DownloadPages,
        CertificatesApi, RegistryPages, RegistryApi, ExternalPages, ExternalApi, HolderPages,
        HolderApi, CataloguePages, ApprovalPages, ApprovalApi, ReviewPages, ReviewApi,
    ),
    nav=(
        nav("证书查验", "/verify", None, order=70),
        nav("我的证书", "/my/certificates/", [Role.TRAINEE], order=30),
        nav("考核审核", "/certification/sessions/", ISSUING_ROLES, order=30),
        nav("证书登记簿", "/certification/certificates/", OFFICER_ROLES, order=31),
        nav("证书目录", "/certification/catalogue/", ISSUING_ROLES, order=33),
        nav("证书核查", "/certification/reviews/", ISSUING_ROLES, order=32),
        nav("外部证件", "/certification/external/", RECORDING_ROLES, order=34),
    ),
    cards=(
        card("考核结果审核", "审核培训机构提交的考核成绩，通过后向合格考生发证。",
             "/certification/sessions/", ISSUING_ROLES, order=20),
        card("证书登记簿", "查找证书，办理暂停、恢复、撤销、补发，导出与统计。",
             "/certification/certificates/", ISSUING_ROLES, order=21),
        # 教育局 and 卫健委 look certificates up; only 人社局 acts on them
        card("证书登记簿", "查找证书，查看状态与状态记录，导出与统计。",
             "/certification/certificates/", OFFICER_ROLES - ISSUING_ROLES, order=21),
        card("我的证书", "下载证书 PDF 和可验证凭证，用二维码或链接分享证书。",
             "/my/certificates/", [Role.TRAINEE], order=20),
        card("外部证件登记", "登记保安员证、健康检查、背景审查等外部证件。",
             "/certification/external/", RECORDING_ROLES, order=40),
        card("证书查验", "按证书编号和姓名核验从业人员证书。", "/verify",
             [Role.FACILITY_OPERATOR], order=41),
    ),
    tables=tuple(TABLES),
    # the signing key before any demo issues a certificate; demo certificates after training's
    seeders=(Seeder(10, demo.seed_key), Seeder(30, demo.seed)),
    background=(Background("certificate-worker", jobs.start_worker, jobs.stop_worker),),
    # the public lookup's cache listens for changes while the web process runs
    on_startup=(verification.start_cache,),
    on_shutdown=(verification.close_readers,),  # this process's lookup connections
    plugs=((credentials.LISTENERS, notices.on_credential_changed),  # SMS to the holder
           (credentials.LISTENERS, verification.changing),  # no cached answer while changing
           (ports.CERTIFICATION, FOR_TRAINING),  # what training asks of certification
           (LABELS, labels.LABELS)),  # its states and audit events, in Chinese
)
