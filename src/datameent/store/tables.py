"""The database schema, as SQLAlchemy Core tables.

Alembic revisions in `migrations/` create and change these tables; `tests` check that the
revisions and this module agree. Personal values and BSNs are only ever stored encrypted.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    false,
    text,
)

from datameent.store.types import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

persons = Table(
    "persons",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("client_number", String(20), nullable=False, unique=True),
    Column("bsn_index", String(64), nullable=False, unique=True),
    Column("bsn_ciphertext", LargeBinary, nullable=True),
    Column("data_key", LargeBinary, nullable=True, comment="wrapped; NULL once erased"),
    Column("key_version", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("erased_at", UTCDateTime, nullable=True),
)

identifier_keys = Table(
    "identifier_keys",
    metadata,
    Column("name", String(32), primary_key=True, comment="store.crypto.Identifiers.NAMES"),
    Column("key_version", Integer, nullable=False, comment="the master key that wraps it"),
    Column("wrapped", LargeBinary, nullable=False),
    Column("stored_at", UTCDateTime, nullable=False),
    comment="kept from the first rotation of the master key on (store/crypto.py)",
)

key_rotations = Table(
    "key_rotations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key_version", Integer, nullable=False, comment="the master key rotated to"),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True, comment="NULL: not (yet) finished"),
    Column("rewrapped", Integer, nullable=False, comment="data keys wrapped again"),
)

users = Table(
    "users",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("password_hash", String(200), nullable=True, comment="NULL: cannot log in"),
    Column("person_id", Uuid, ForeignKey("persons.id"), nullable=True, unique=True),
    Column("team", String(100), nullable=True),
    Column("active", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column(
        "must_change_password",
        Boolean,
        nullable=False,
        server_default=false(),
        comment="given by someone else: its holder chooses another first",
    ),
    Column(
        "sso_issuer",
        String(255),
        nullable=True,
        comment="the identity provider (OpenID Connect issuer) it logs in through; NULL: none",
    ),
    Column("sso_subject", String(255), nullable=True, comment="its identifier (sub) there"),
    UniqueConstraint("sso_issuer", "sso_subject"),
)

user_roles = Table(
    "user_roles",
    metadata,
    Column("user_id", Uuid, ForeignKey("users.id"), primary_key=True),
    Column("role", String(32), primary_key=True),
)

auth_sessions = Table(
    "auth_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id"), nullable=False, index=True),
    Column("kind", String(8), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
    Column(
        "idle_until",
        UTCDateTime,
        nullable=True,
        comment="web sessions: the session ends unless a request comes before this; "
        "NULL: no such limit (API tokens)",
    ),
    Column(
        "representative",
        String(64),
        nullable=True,
        comment="DigiD Machtigen: a keyed pseudonym of whoever acts for the account's holder; "
        "NULL: the holder",
    ),
)

account_changes = Table(
    "account_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Uuid, ForeignKey("users.id"), nullable=False, index=True),
    Column("changed_at", UTCDateTime, nullable=False),
    Column(
        "changed_by",
        Uuid,
        ForeignKey("users.id"),
        nullable=True,
        comment="NULL: the command line on the server",
    ),
    Column("change", String(16), nullable=False, comment="domain.accounts.ChangeKind"),
    Column("roles", String(200), nullable=True, comment="the roles after the change"),
    Column("team", String(100), nullable=True, comment="the team after the change"),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username_key", String(64), nullable=False),
    Column("client_key", String(64), nullable=False),
    Column("attempted_at", UTCDateTime, nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Index(None, "username_key", "attempted_at"),
    Index(None, "client_key", "attempted_at"),
)

attribute_values = Table(
    "attribute_values",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("person_id", Uuid, ForeignKey("persons.id"), nullable=False),
    Column("key", String(64), nullable=False),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("source", String(32), nullable=False),
    Column("recorded_by", Uuid, ForeignKey("users.id"), nullable=True),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("valid_from", Date, nullable=True),
    Column("valid_to", Date, nullable=True),
    Column("verified", Boolean, nullable=False),
    Column("instrument_version", String(32), nullable=True),
    Column("is_current", Boolean, nullable=False),
    Column("supersedes", Uuid, ForeignKey("attribute_values.id"), nullable=True),
    Index(None, "person_id", "key"),
    Index(
        "uq_attribute_values_current",
        "person_id",
        "key",
        unique=True,
        sqlite_where=text("is_current"),
        postgresql_where=text("is_current"),
    ),
)

case_assignments = Table(
    "case_assignments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("case_manager_id", Uuid, ForeignKey("users.id"), nullable=False, index=True),
    Column("person_id", Uuid, ForeignKey("persons.id"), nullable=False, index=True),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=True),
    Column("assigned_by", Uuid, ForeignKey("users.id"), nullable=True),
    Index(
        "uq_case_assignments_open",
        "person_id",
        unique=True,
        sqlite_where=text("ends_at IS NULL"),
        postgresql_where=text("ends_at IS NULL"),
    ),
)

# The processing log ---------------------------------------------------------------------------
# `log_records.seq` is the leaf index in the Merkle log. The payload (canonical JSON) may be
# erased when its retention ends; `digest` (SHA-256 of the canonical bytes) stays, and it is
# what the Merkle tree is built over, so every proof keeps working.
#
# Every logged read writes a record, its audit record and its tree nodes, and on SQLite each
# b-tree a row goes into is a page more for the commit to write (about 9 µs each). So there
# the sequence numbers are INTEGER primary keys, SQLite's row ids, instead of a BIGINT with an
# index of its own beside the table, and the nodes are a WITHOUT ROWID table, ordered by their
# key alone. With the unused index on audit_records.user_id gone, four b-trees fewer per
# read: 12 pages to commit became 8 (migration 0012, docs/benchmarks.md).

LOG_SEQ = BigInteger().with_variant(Integer(), "sqlite")
"""A sequence number in the log: BIGINT, and SQLite's row id there."""

log_records = Table(
    "log_records",
    metadata,
    Column("seq", LOG_SEQ, primary_key=True, autoincrement=False),
    Column("trace_id", String(32), nullable=False),
    Column("span_id", String(16), nullable=False),
    Column("operation", String(64), nullable=False),
    Column("outcome", String(8), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime, nullable=False),
    Column("activity_uri", String(200), nullable=False),
    Column("subject", String(64), nullable=True, comment="pseudonym of the person"),
    Column("payload", Text, nullable=True, comment="canonical JSON; NULL once erased"),
    Column("digest", LargeBinary, nullable=False),
    Index(None, "subject", "seq"),
)

audit_records = Table(
    "audit_records",
    metadata,
    Column("seq", LOG_SEQ, ForeignKey("log_records.seq"), primary_key=True, autoincrement=False),
    # Not indexed: no query looks audit records up by user (the privacy officer's volumes
    # per employee group a period's records), and an index in users' order cost every logged
    # read one to two pages more to write.
    Column("user_id", Uuid, ForeignKey("users.id"), nullable=True),
    Column("rule", String(40), nullable=False, comment="the policy rule that decided"),
    Column("payload", Text, nullable=True, comment="canonical JSON; NULL once erased"),
)

ledger_nodes = Table(
    "ledger_nodes",
    metadata,
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary, nullable=False),
    sqlite_with_rowid=False,
)

ledger_head = Table(
    "ledger_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("size", BigInteger, nullable=False),
    Column("frontier", LargeBinary, nullable=False, comment="right-edge subtree hashes"),
)

ledger_checkpoints = Table(
    "ledger_checkpoints",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root", LargeBinary, nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# Purpose-bound sharing ----------------------------------------------------------------------
# Free text that a resident or an employee writes about a resident (reasons, justifications,
# break-glass reasons) is encrypted with that resident's data key, like their values: erasing
# the person makes it unreadable too.

cases = Table(
    "cases",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("person_id", Uuid, ForeignKey("persons.id"), nullable=False, index=True),
    Column("purpose_code", String(64), nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("opened_by", Uuid, ForeignKey("users.id"), nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
)

data_requests = Table(
    "data_requests",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("case_id", Uuid, ForeignKey("cases.id"), nullable=False),
    Column("person_id", Uuid, ForeignKey("persons.id"), nullable=False, index=True),
    Column("purpose_code", String(64), nullable=False),
    Column("purpose_version", Integer, nullable=False),
    Column("requested_by", Uuid, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Index(None, "status"),
)

request_items = Table(
    "request_items",
    metadata,
    Column("request_id", Uuid, ForeignKey("data_requests.id"), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("reason", LargeBinary, nullable=False, comment="encrypted with the person's key"),
    Column("in_purpose", Boolean, nullable=False),
    Column("justification", LargeBinary, nullable=True, comment="encrypted"),
    Column("approval", String(12), nullable=False),
    Column("approved_by", Uuid, ForeignKey("users.id"), nullable=True),
    Column("answer", String(10), nullable=True),
    Column("decline_reason", LargeBinary, nullable=True, comment="encrypted"),
    Column("answered_at", UTCDateTime, nullable=True),
)

grants = Table(
    "grants",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("person_id", Uuid, ForeignKey("persons.id"), nullable=False, index=True),
    Column("case_id", Uuid, ForeignKey("cases.id"), nullable=False, index=True),
    Column("purpose_code", String(64), nullable=False),
    Column("purpose_version", Integer, nullable=False),
    Column("basis", String(10), nullable=False),
    Column("valid_from", UTCDateTime, nullable=False),
    Column("valid_to", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("request_id", Uuid, ForeignKey("data_requests.id"), nullable=True, unique=True),
    Column("revoked_at", UTCDateTime, nullable=True),
)

grant_keys = Table(
    "grant_keys",
    metadata,
    Column("grant_id", Uuid, ForeignKey("grants.id"), primary_key=True),
    Column("key", String(64), primary_key=True),
)

break_glass = Table(
    "break_glass",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("actor_id", Uuid, ForeignKey("users.id"), nullable=False),
    Column("person_id", Uuid, ForeignKey("persons.id"), nullable=False, index=True),
    Column("reason", LargeBinary, nullable=False, comment="encrypted with the person's key"),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("reviewed_by", Uuid, ForeignKey("users.id"), nullable=True),
    Column("reviewed_at", UTCDateTime, nullable=True),
    Column("review", String(16), nullable=True),
    Column("review_note", Text, nullable=True),
    Index(None, "actor_id", "person_id"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("params", Text, nullable=False, comment="JSON: codes and ids, never values"),
    Column("link", String(200), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("read_at", UTCDateTime, nullable=True),
    Index(None, "user_id", "created_at"),
)

# My story ("tell it once") and the resident's rights ----------------------------------------

story_sections = Table(
    "story_sections",
    metadata,
    Column("id", Uuid, primary_key=True, comment="one version of one section"),
    Column("section_id", Uuid, nullable=False, comment="the section, stable over versions"),
    Column("person_id", Uuid, ForeignKey("persons.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("title", LargeBinary, nullable=False, comment="encrypted with the person's key"),
    Column("body", LargeBinary, nullable=False, comment="encrypted with the person's key"),
    Column("written_at", UTCDateTime, nullable=False),
    Column("is_current", Boolean, nullable=False),
    Index(None, "person_id", "section_id", "version", unique=True),
)

story_shares = Table(
    "story_shares",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("person_id", Uuid, ForeignKey("persons.id"), nullable=False, index=True),
    Column("section_id", Uuid, nullable=False),
    Column("case_id", Uuid, ForeignKey("cases.id"), nullable=False),
    Column("shared_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
)

rights_requests = Table(
    "rights_requests",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("person_id", Uuid, ForeignKey("persons.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False, comment="correction, erasure or objection"),
    Column("subject", String(64), nullable=True, comment="attribute key or purpose code"),
    Column("value_id", Uuid, ForeignKey("attribute_values.id"), nullable=True),
    Column("explanation", LargeBinary, nullable=False, comment="encrypted"),
    Column("proposed", LargeBinary, nullable=True, comment="encrypted: the proposed value"),
    Column("filed_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("decided_by", Uuid, ForeignKey("users.id"), nullable=True),
    Column("decided_at", UTCDateTime, nullable=True),
    Column("decision_note", Text, nullable=True),
    Index(None, "status"),
)

erasure_confirmations = Table(
    "erasure_confirmations",
    metadata,
    Column("request_id", Uuid, ForeignKey("rights_requests.id"), primary_key=True),
    Column("recipient_id", Uuid, ForeignKey("users.id"), primary_key=True),
    Column("grant_id", Uuid, ForeignKey("grants.id"), nullable=True),
    Column("asked_at", UTCDateTime, nullable=False),
    Column("confirmed_at", UTCDateTime, nullable=True),
)

# Decisions and contesting them ----------------------------------------------------------------

decisions = Table(
    "decisions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("person_id", Uuid, ForeignKey("persons.id"), nullable=False, index=True),
    Column("case_id", Uuid, ForeignKey("cases.id"), nullable=True),
    Column("kind", String(32), nullable=False),
    Column("outcome", LargeBinary, nullable=False, comment="encrypted with the person's key"),
    Column("legal_basis", String(300), nullable=False),
    Column("decided_by", Uuid, ForeignKey("users.id"), nullable=False, index=True),
    Column("decided_at", UTCDateTime, nullable=False),
    Column("made_known_on", Date, nullable=False),
    Column("responsible", String(200), nullable=False),
    Column("activity_uri", String(200), nullable=False),
    Column("algorithm", String(64), nullable=True),
    Column("model_version", String(64), nullable=True),
    Column("model_output", LargeBinary, nullable=True, comment="encrypted"),
    Column("model_explanation", LargeBinary, nullable=True, comment="encrypted"),
    Column("supersedes", Uuid, ForeignKey("decisions.id"), nullable=True),
)

decision_values = Table(
    "decision_values",
    metadata,
    Column("decision_id", Uuid, ForeignKey("decisions.id"), primary_key=True),
    Column("value_id", Uuid, ForeignKey("attribute_values.id"), primary_key=True),
    Index(None, "value_id"),
)

contestations = Table(
    "contestations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("decision_id", Uuid, ForeignKey("decisions.id"), nullable=False, index=True),
    Column("person_id", Uuid, ForeignKey("persons.id"), nullable=False, index=True),
    Column("kind", String(12), nullable=False),
    Column("grounds", LargeBinary, nullable=False, comment="encrypted with the person's key"),
    Column("filed_at", UTCDateTime, nullable=False),
    Column("status", String(12), nullable=False),
    Column("late", Boolean, nullable=False),
    Column("late_reason", LargeBinary, nullable=True, comment="encrypted"),
    Column("reviewer_id", Uuid, ForeignKey("users.id"), nullable=True),
    Column("outcome", String(16), nullable=True),
    Column("reasons", LargeBinary, nullable=True, comment="encrypted"),
    Column("decided_at", UTCDateTime, nullable=True),
    Column("extended", Boolean, nullable=False),
    Column("extension_reason", Text, nullable=True),
    Column("new_decision_id", Uuid, ForeignKey("decisions.id"), nullable=True),
    Index(None, "status"),
)

complaints = Table(
    "complaints",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("person_id", Uuid, ForeignKey("persons.id"), nullable=False, index=True),
    Column("conduct", LargeBinary, nullable=False, comment="encrypted with the person's key"),
    Column("occurred_on", Date, nullable=True),
    Column(
        "about_id",
        Uuid,
        ForeignKey("users.id"),
        nullable=True,
        comment="the employee complained about, if the resident named one",
    ),
    Column("log_index", BigInteger, nullable=True, comment="the log line it started from"),
    Column("filed_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False, comment="domain.complaints.ComplaintStatus"),
    Column("handler_id", Uuid, ForeignKey("users.id"), nullable=True),
    Column("hearing", String(24), nullable=True, comment="domain.complaints.Hearing"),
    Column("hearing_note", LargeBinary, nullable=True, comment="encrypted"),
    Column("postponed", Boolean, nullable=False),
    Column("postponement_reason", LargeBinary, nullable=True, comment="encrypted"),
    Column("judgement", String(16), nullable=True, comment="domain.complaints.Judgement"),
    Column("findings", LargeBinary, nullable=True, comment="encrypted"),
    Column("decided_at", UTCDateTime, nullable=True),
    Index(None, "status"),
)

contest_attachments = Table(
    "contest_attachments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("contestation_id", Uuid, ForeignKey("contestations.id"), nullable=False, index=True),
    Column("filename", LargeBinary, nullable=False, comment="encrypted"),
    Column("content_type", String(40), nullable=False),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False, comment="encrypted with the person's key"),
)

# The public registers --------------------------------------------------------------------------

processing_register = Table(
    "processing_register",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("document", Text, nullable=False, comment="JSON: the fields of GDPR art. 30(1)"),
    Column("published_at", UTCDateTime, nullable=False),
    Column("published_by", Uuid, ForeignKey("users.id"), nullable=True),
)

algorithm_register = Table(
    "algorithm_register",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("document", Text, nullable=False, comment="JSON: the publication standard's fields"),
    Column("published_at", UTCDateTime, nullable=False),
    Column("published_by", Uuid, ForeignKey("users.id"), nullable=True),
)

# Differential privacy: each consumer domain's budget and what was spent --------------------------

privacy_budgets = Table(
    "privacy_budgets",
    metadata,
    Column("domain", String(32), primary_key=True),
    Column("total", Float, nullable=False, comment="epsilon this domain may spend"),
    Column("spent", Float, nullable=False),
)

privacy_releases = Table(
    "privacy_releases",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("domain", String(32), ForeignKey("privacy_budgets.domain"), nullable=False, index=True),
    Column("user_id", Uuid, ForeignKey("users.id"), nullable=True),
    Column("released_at", UTCDateTime, nullable=False),
    Column("epsilon", Float, nullable=False),
    Column("description", Text, nullable=False, comment="measure and breakdowns, no values"),
)

effect_models = Table(
    "effect_models",
    metadata,
    Column("version", String(64), primary_key=True),
    Column("trained_at", UTCDateTime, nullable=False),
    Column("trained_by", Uuid, ForeignKey("users.id"), nullable=True),
    Column("file", Text, nullable=False, comment="path of the saved model, in the data directory"),
    Column("sha256", String(64), nullable=False, comment="the file is refused if it changed"),
    Column("reliable", Boolean, nullable=False, comment="passed the held-out test"),
    Column("card", Text, nullable=False, comment="the model card, JSON; no personal data"),
    Column("active", Boolean, nullable=False, server_default=text("false")),
)

effect_objections = Table(
    "effect_objections",
    metadata,
    Column("person_id", Uuid, ForeignKey("persons.id"), primary_key=True),
    Column("objected_at", UTCDateTime, nullable=False, comment="art. 21: no suggestions since"),
)

dialogue_sessions = Table(
    "dialogue_sessions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("code", String(8), nullable=False, unique=True, comment="the join code on the screen"),
    Column("facilitator_id", Uuid, ForeignKey("users.id"), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("stage", Integer, nullable=False, comment="index into domain.dialogue.STAGES"),
    Column("started_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False, comment="the join code works until then"),
    Column("closed_at", UTCDateTime, nullable=True),
)

dialogue_participants = Table(
    "dialogue_participants",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("session_id", Uuid, ForeignKey("dialogue_sessions.id"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True, comment="SHA-256 of the cookie"),
    Column("joined_at", UTCDateTime, nullable=False),
)

dialogue_votes = Table(
    "dialogue_votes",
    metadata,
    Column("participant_id", Uuid, ForeignKey("dialogue_participants.id"), primary_key=True),
    Column("step", String(16), primary_key=True),
    Column("session_id", Uuid, ForeignKey("dialogue_sessions.id"), nullable=False, index=True),
    Column("choice", String(16), nullable=False),
    Column("answered_at", UTCDateTime, nullable=False),
)

dialogue_statements = Table(
    "dialogue_statements",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("session_id", Uuid, ForeignKey("dialogue_sessions.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("text_nl", Text, nullable=False),
    Column("text_en", Text, nullable=False),
)

dialogue_responses = Table(
    "dialogue_responses",
    metadata,
    Column("participant_id", Uuid, ForeignKey("dialogue_participants.id"), primary_key=True),
    Column("statement_id", Uuid, ForeignKey("dialogue_statements.id"), primary_key=True),
    Column("session_id", Uuid, ForeignKey("dialogue_sessions.id"), nullable=False, index=True),
    Column("score", Integer, nullable=False, comment="1 (strongly disagree) to 5"),
    Column("answered_at", UTCDateTime, nullable=False),
)

dialogue_notes = Table(
    "dialogue_notes",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("session_id", Uuid, ForeignKey("dialogue_sessions.id"), nullable=False, index=True),
    Column("table_label", String(40), nullable=False),
    Column("text", Text, nullable=False, comment="the facilitator's notes of a group talk"),
    Column("written_at", UTCDateTime, nullable=False),
)
