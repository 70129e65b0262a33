-- The IMR database schema, in one place.
--
-- Three layers:
--   1. raw tables, one row per thing the loader read (load_runs, files, letters,
--      decisions, citations);
--   2. cleaned views that derive what the questions need (v_letters, v_decisions);
--   3. decision_facts, the wide decision-grain table every dashboard query reads.
--      Each load appends the rows of the letters it adds (etl/db.py), so dashboard
--      queries never join at read time.
--
-- A load appends inside one DuckDB transaction: readers see all of it or none of it.
-- There are no PRIMARY KEY or UNIQUE constraints: checking them would load an index over the
-- whole archive on every append (time and memory growing with the archive). The loader gives
-- out letter_ids and keeps case numbers unique itself; tests/test_load.py checks both.
--
-- ENUM values mirror etl/vocab.py; tests/test_schema.py checks they agree.

CREATE TYPE outcome_t AS ENUM ('upheld', 'overturned');
CREATE TYPE ur_action_t AS ENUM ('denied', 'modified');
CREATE TYPE priority_t AS ENUM ('standard', 'expedited');
CREATE TYPE sex_t AS ENUM ('female', 'male');
CREATE TYPE citation_source_t AS ENUM ('MTUS', 'ODG', 'ACOEM', 'OTHER');
CREATE TYPE citation_side_t AS ENUM ('claims_administrator', 'imr_reviewer');
CREATE TYPE file_status_t AS ENUM ('loaded', 'duplicate', 'rejected');
CREATE TYPE service_category_t AS ENUM (
    'Pharmaceuticals', 'Diagnostic Testing', 'DMEPOS', 'Rehabilitation', 'Injection',
    'Surgery', 'Evaluation & Management', 'Psych Services', 'Programs', 'Home Health',
    'Transportation', 'Other');
CREATE TYPE service_subcategory_t AS ENUM (
    'Opioids', 'Muscle Relaxant', 'NSAID', 'Topical Analgesics', 'Topical Compounds',
    'Anti-epilepsy drugs', 'Antidepressant', 'Proton Pump Inhibitors', 'H2 Blocker',
    'GI Agents', 'Antiemetic', 'Sedative-hypnotics', 'Benzodiazepine', 'AntiAnxiety',
    'Antimigraine Agent', 'Misc Analgesics', 'Nutritional Products',
    'Adrenal Cortical Steroids', 'Viscosupplementation', 'Antihistamine',
    'Atypical Antipsychotic', 'Stimulants', 'Cannabinoids', 'Hormones',
    'Impotence Agents', 'Antihypertensive', 'Antidiabetics', 'Anti-infectives',
    'Asthma Medications', 'Statin', 'Other',
    'Imaging/Radiology', 'EMG/NCV/NCS', 'Lab & Pathology', 'Other Diagnostic Tests',
    'DME', 'Electrical Stimulation', 'Prosthetics/Orthotics', 'Supplies',
    'PT/OT', 'Chiropractic', 'Acupuncture', 'Other Therapies',
    'Facet Injection', 'Injection',
    'Spine', 'Arthroscopic Surgery', 'Non-arthroscopic Surgery', 'Adjunct Surgical Services',
    'Surgical Consult',
    'Medical Specialties', 'Dental Services',
    'Evaluation & Management', 'Therapies',
    'Programs', 'Home Health', 'Transportation');
CREATE TYPE mtus_chapter_t AS ENUM (
    'Chronic Pain', 'Opioids', 'General Approaches', 'Neck and Upper Back', 'Shoulder',
    'Elbow', 'Forearm, Wrist, and Hand', 'Low Back', 'Knee', 'Ankle and Foot',
    'Stress-Related Conditions', 'Eye', 'Acupuncture', 'Postsurgical', 'Drug Formulary');
CREATE TYPE reason_code_t AS ENUM (
    'not_recommended', 'duration_exceeded', 'no_functional_improvement', 'quantity_exceeded',
    'first_line_not_tried', 'criteria_not_met', 'insufficient_documentation', 'monitoring_missing',
    'dependent_on_denied', 'home_exercise_sufficient', 'duplicate_or_repeat', 'preferred_alternative',
    'contraindicated', 'criteria_met', 'other');

-- ---------------------------------------------------------------- raw tables
-- etl/load.py appends each load's letters, decisions and citations in decision-date order
-- (undated last): new letters are mostly recent, so DuckDB's zone maps still let date filters
-- skip whole row groups, without re-sorting the archive on every load.

-- One row per run of `python -m etl.load`. The accounting identity
-- files_seen = files_loaded + files_skipped + files_duplicate + files_rejected holds for every run.
CREATE TABLE load_runs (
    run_id          INTEGER PRIMARY KEY,
    started_at      TIMESTAMP NOT NULL,
    finished_at     TIMESTAMP,
    parser_version  VARCHAR NOT NULL,
    sources         VARCHAR[] NOT NULL,
    files_seen      INTEGER NOT NULL DEFAULT 0,
    files_loaded    INTEGER NOT NULL DEFAULT 0,
    files_skipped   INTEGER NOT NULL DEFAULT 0,   -- bytes already loaded by an earlier run
    files_duplicate INTEGER NOT NULL DEFAULT 0,   -- a case number already loaded from another file
    files_rejected  INTEGER NOT NULL DEFAULT 0,
    rebuilt         BOOLEAN NOT NULL DEFAULT false, -- started from an empty database (--rebuild)
    letters_reparsed INTEGER NOT NULL DEFAULT 0,    -- stored letters parsed again from their text (a new parser version)
    reparse_failures INTEGER NOT NULL DEFAULT 0,    -- of those, letters the new parser failed on: they keep their old record
    -- Work per stage, in seconds: extract and parse summed over the worker processes, write in the loader.
    extract_seconds DOUBLE,
    parse_seconds   DOUBLE,
    write_seconds   DOUBLE
);

-- Every file any run has read, whatever became of it: nothing is lost without a trace.
-- Bytes an earlier run read are skipped and not logged again; a copy of them under another
-- name in the same run is logged as a duplicate. Unreadable files have no sha256.
CREATE TABLE files (
    sha256      VARCHAR,            -- NULL only when the file could not be read at all
    path        VARCHAR NOT NULL,   -- absolute path at the time of loading
    status      file_status_t NOT NULL,
    reason      VARCHAR,            -- the parser's reason for a rejected file; for a duplicate, the case it repeats and its file
    case_number VARCHAR,
    run_id      INTEGER NOT NULL,
    seen_at     TIMESTAMP NOT NULL
);

CREATE TABLE letters (
    letter_id               INTEGER NOT NULL,        -- given out by the loader, one per letter
    case_number             VARCHAR,                 -- unique (the loader's duplicate check); NULL only where the letter does not show it
    sha256                  VARCHAR NOT NULL,
    source_file             VARCHAR NOT NULL,
    layout                  VARCHAR NOT NULL,        -- 'unknown' when the parser named none
    date_assigned           DATE,
    date_of_injury          DATE,
    decision_date           DATE,
    ur_denial_date          DATE,
    application_received    DATE,
    priority                priority_t,
    reviewer_license_states VARCHAR[] NOT NULL,
    reviewer_specialties    VARCHAR[] NOT NULL,
    patient_age             SMALLINT,
    patient_sex             sex_t,
    warnings                VARCHAR[] NOT NULL,      -- what the parser was unsure of; empty when nothing
    run_id                  INTEGER NOT NULL
);

-- The texts live apart from the date-sorted tables: they are most of the bytes, and a sort that
-- carried them would need memory growing with the number of letters. Rows here are in letter_id
-- order within each load, so a re-parse reading a range of letter_ids skips the other row groups.
CREATE TABLE letter_texts (
    letter_id INTEGER NOT NULL,
    full_text VARCHAR NOT NULL
);

CREATE TABLE decisions (
    letter_id              INTEGER NOT NULL,
    item_no                SMALLINT NOT NULL,
    treatment              VARCHAR NOT NULL,
    outcome                outcome_t NOT NULL,
    service_category       service_category_t NOT NULL,
    service_subcategory    service_subcategory_t,
    drug_generic           VARCHAR,
    strength               VARCHAR,
    quantity               INTEGER,
    ur_action              ur_action_t NOT NULL,
    ur_authorized          VARCHAR,
    ur_authorized_quantity INTEGER,
    classified_by          VARCHAR                  -- the reference row or rule that set the category
);

-- Why the reviewer ruled so: one row per decision and reason code, with the rationale's words.
CREATE TABLE decision_reasons (
    letter_id INTEGER NOT NULL,
    item_no   SMALLINT NOT NULL,
    code      reason_code_t NOT NULL,
    evidence  VARCHAR
);

-- Each decision's guideline lines and rationale, apart for the same reason as letter_texts.
CREATE TABLE decision_texts (
    letter_id          INTEGER NOT NULL,
    item_no            SMALLINT NOT NULL,
    ca_guideline_text  VARCHAR,
    imr_guideline_text VARCHAR,
    rationale          VARCHAR NOT NULL
);

-- One row per citation, with the side that made it.
CREATE TABLE citations (
    letter_id INTEGER NOT NULL,
    item_no   SMALLINT NOT NULL,
    side      citation_side_t NOT NULL,
    cite_no   SMALLINT NOT NULL,
    source    citation_source_t NOT NULL,
    chapter   mtus_chapter_t,
    section   VARCHAR,
    pages     SMALLINT[] NOT NULL
);

-- Letters a new parser version failed on when it re-read their stored text: they keep the
-- record an earlier version gave them.
CREATE TABLE reparse_failures (
    run_id      INTEGER NOT NULL,
    letter_id   INTEGER NOT NULL,
    case_number VARCHAR,
    source_file VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL
);

-- The letters whose searched text (case number, decision date, and each decision's treatment, outcome,
-- rationale and guideline lines) a re-parse changed: the search index replaces just their documents.
CREATE TABLE search_changes (
    run_id    INTEGER NOT NULL,
    letter_id INTEGER NOT NULL
);

-- ---------------------------------------------------------------- cleaned views

CREATE VIEW v_rejected_files AS
SELECT path, sha256, reason, seen_at AS rejected_at, run_id
FROM files WHERE status = 'rejected';

CREATE VIEW v_letters AS
SELECT
    letter_id, case_number, source_file, layout,
    date_assigned, date_of_injury, decision_date, ur_denial_date, application_received,
    priority,
    CAST(date_trunc('month', decision_date) AS DATE)            AS decision_month,
    CAST(year(decision_date) AS SMALLINT)                       AS decision_year,
    CAST(decision_date - date_assigned AS INTEGER)              AS days_to_decision,
    CAST(decision_date - application_received AS INTEGER)      AS days_from_application,
    len(warnings)                                               AS warning_count,
    patient_age,
    CASE
        WHEN patient_age IS NULL THEN 'unknown'
        WHEN patient_age < 25 THEN 'under 25'
        WHEN patient_age < 35 THEN '25-34'
        WHEN patient_age < 45 THEN '35-44'
        WHEN patient_age < 55 THEN '45-54'
        WHEN patient_age < 65 THEN '55-64'
        ELSE '65 and over'
    END                                                         AS age_band,
    coalesce(CAST(patient_sex AS VARCHAR), 'unknown')           AS patient_sex,
    coalesce(reviewer_specialties[1], 'Unknown')                AS reviewer_specialty,
    reviewer_specialties,
    reviewer_license_states,
    CASE
        WHEN len(reviewer_license_states) = 0 THEN 'unknown'
        WHEN list_contains(reviewer_license_states, 'CA') THEN 'California'
        ELSE 'other states only'
    END                                                         AS reviewer_ca_licence
FROM letters;

-- Per decision and side: the sources cited (as a list and as one short string, 'MTUS,ODG': grouping
-- and filtering on the string is several times faster than on the list at a million decisions), the
-- first MTUS chapter, and a guideline group ('MTUS only', 'MTUS + non-MTUS', 'non-MTUS only';
-- decisions citing nothing have no row here). Only fixed-size aggregates, so DuckDB can spill them.
CREATE VIEW v_citation_summary AS
WITH cited AS (
    SELECT
        letter_id, item_no, side,
        bool_or(source = 'ACOEM') AS acoem,
        bool_or(source = 'MTUS')  AS mtus,
        bool_or(source = 'ODG')   AS odg,
        bool_or(source = 'OTHER') AS other,
        arg_min(CAST(chapter AS VARCHAR), cite_no) FILTER (WHERE chapter IS NOT NULL) AS mtus_chapter
    FROM citations
    GROUP BY letter_id, item_no, side
), keyed AS (
    SELECT *,
        concat_ws(',', CASE WHEN acoem THEN 'ACOEM' END, CASE WHEN mtus THEN 'MTUS' END,
                       CASE WHEN odg THEN 'ODG' END, CASE WHEN other THEN 'OTHER' END) AS source_key
    FROM cited
)
SELECT
    letter_id, item_no, side,
    string_split(source_key, ',') AS sources,
    source_key,
    mtus_chapter,
    CASE
        WHEN mtus AND NOT (acoem OR odg OR other) THEN 'MTUS only'
        WHEN mtus THEN 'MTUS + non-MTUS'
        ELSE 'non-MTUS only'
    END AS guideline_group
FROM keyed;

CREATE VIEW v_decisions AS
SELECT
    d.letter_id, d.item_no, d.treatment, d.outcome,
    CAST(d.outcome = 'overturned' AS INTEGER)                              AS overturned,
    d.service_category, d.service_subcategory,
    CASE WHEN d.service_category = 'Pharmaceuticals'
         THEN CAST(d.service_subcategory AS VARCHAR) END                   AS drug_class,
    d.drug_generic, d.strength, d.quantity,
    d.ur_action, d.ur_authorized, d.ur_authorized_quantity,
    CASE WHEN d.ur_action = 'modified' AND d.quantity > 0 AND d.ur_authorized_quantity IS NOT NULL
         THEN 1.0 - d.ur_authorized_quantity / d.quantity END              AS share_cut,
    coalesce(imr.sources, [])                                              AS imr_sources,
    imr.mtus_chapter                                                       AS imr_mtus_chapter,
    coalesce(imr.guideline_group, 'nothing cited')                         AS imr_guideline_group,
    coalesce(imr.source_key, 'nothing cited')                              AS imr_source_key,
    coalesce(ca.sources, [])                                               AS ca_sources,
    ca.mtus_chapter                                                        AS ca_mtus_chapter,
    coalesce(ca.guideline_group, 'nothing cited')                          AS ca_guideline_group,
    coalesce(ca.source_key, 'nothing cited')                               AS ca_source_key,
    coalesce(imr.sources, []) = coalesce(ca.sources, [])                   AS same_sources_as_ca,
    d.classified_by,
    coalesce(r.reason_codes, [])                                           AS reason_codes
FROM decisions d
LEFT JOIN v_citation_summary imr
       ON imr.letter_id = d.letter_id AND imr.item_no = d.item_no AND imr.side = 'imr_reviewer'
LEFT JOIN v_citation_summary ca
       ON ca.letter_id = d.letter_id AND ca.item_no = d.item_no AND ca.side = 'claims_administrator'
LEFT JOIN (
    SELECT letter_id, item_no, list(CAST(code AS VARCHAR) ORDER BY code) AS reason_codes
    FROM decision_reasons GROUP BY letter_id, item_no
) r ON r.letter_id = d.letter_id AND r.item_no = d.item_no;

-- A letter's outcome as the state's own search shows it, from all of its decisions.
CREATE VIEW v_letter_outcomes AS
SELECT
    letter_id,
    CASE
        WHEN bool_and(outcome = 'upheld') THEN 'upheld'
        WHEN bool_and(outcome = 'overturned') THEN 'overturned'
        ELSE 'partially overturned'
    END AS letter_outcome
FROM decisions
GROUP BY letter_id;

-- The dashboard's grain: one row per decision with its letter's fields.
CREATE VIEW v_decision_facts AS
SELECT
    l.letter_id, l.case_number, d.item_no,
    l.decision_date, l.decision_month, l.decision_year, l.date_assigned, l.days_to_decision,
    l.application_received, l.days_from_application,
    l.priority, l.layout, l.warning_count,
    l.patient_age, l.age_band, l.patient_sex,
    l.reviewer_specialty, l.reviewer_specialties, l.reviewer_license_states, l.reviewer_ca_licence,
    d.treatment, d.outcome, d.overturned,
    d.service_category, d.service_subcategory, d.drug_class, d.drug_generic, d.strength, d.quantity,
    d.ur_action, d.ur_authorized, d.ur_authorized_quantity, d.share_cut,
    d.imr_sources, d.imr_source_key, d.imr_mtus_chapter, d.imr_guideline_group,
    d.ca_sources, d.ca_source_key, d.ca_mtus_chapter, d.ca_guideline_group, d.same_sources_as_ca,
    d.classified_by, d.reason_codes, o.letter_outcome
FROM v_decisions d
JOIN v_letters l USING (letter_id)
JOIN v_letter_outcomes o USING (letter_id);

-- ---------------------------------------------------------------- the questions' table
-- decision_facts is materialised from v_decision_facts: each load appends its new letters' rows,
-- sorted by decision date (etl/db.py append_decision_facts).
CREATE TABLE decision_facts AS SELECT * FROM v_decision_facts LIMIT 0;

-- ---------------------------------------------------------------- marts
-- Pre-aggregated tables answering the unfiltered views that would otherwise read every row (the
-- dashboard reads a mart only when no filter is set: dashboard/data.py MART_QUERIES). Each load adds
-- its new letters' counts in the same transaction as the letters (etl/db.py append_marts), so a reader
-- never sees a mart out of step with the rows, and the cost follows the new letters, not the archive.
-- Counts only: a median or 90th percentile comes from a histogram (the counts per number of days).
-- A database made before the marts existed gets them, filled from every row, at its next load
-- (CREATE ... IF NOT EXISTS: etl/db.py runs this section alone on such a database).

-- Letters by decision month, priority and the days from application and from assignment to the
-- decision (NULL where a date is missing): the Timeliness page without filters.
CREATE TABLE IF NOT EXISTS mart_letter_days (
    decision_month        DATE,
    priority              priority_t,
    days_from_application INTEGER,
    days_from_assignment  INTEGER,
    letters               BIGINT NOT NULL
);

-- How often the parser found each field (the Data quality page): one row per load with the counts
-- of that load's letters, decisions and decision texts; the page sums them.
CREATE TABLE IF NOT EXISTS mart_field_counts (
    first_letter_id              INTEGER NOT NULL,  -- the load's letters are those numbered from here on
    letters                      BIGINT NOT NULL,
    case_number                  BIGINT NOT NULL,
    decision_date                BIGINT NOT NULL,
    date_assigned                BIGINT NOT NULL,
    date_of_injury               BIGINT NOT NULL,
    ur_denial_date               BIGINT NOT NULL,
    application_received         BIGINT NOT NULL,
    priority                     BIGINT NOT NULL,
    reviewer_license_states      BIGINT NOT NULL,
    reviewer_specialties         BIGINT NOT NULL,
    patient_age                  BIGINT NOT NULL,
    patient_sex                  BIGINT NOT NULL,
    decisions                    BIGINT NOT NULL,
    service_subcategory          BIGINT NOT NULL,
    drug_generic                 BIGINT NOT NULL,
    strength                     BIGINT NOT NULL,
    quantity                     BIGINT NOT NULL,
    ur_authorized_quantity       BIGINT NOT NULL,
    ca_guideline_text            BIGINT NOT NULL,
    imr_guideline_text           BIGINT NOT NULL,
    drugs                        BIGINT NOT NULL,
    modified                     BIGINT NOT NULL
);

-- Decisions by decision month, service category and drug class, with their first and last decision
-- dates: the filter sentence's totals, the Overview's trend and categories, and the Medications page's
-- classes and their trend.
CREATE TABLE IF NOT EXISTS mart_decision_months (
    decision_month   DATE,
    service_category service_category_t,
    drug_class       VARCHAR,
    decisions        BIGINT NOT NULL,
    overturned       BIGINT NOT NULL,
    first_decision   DATE,
    last_decision    DATE
);

-- Decisions by drug, drug class, strength and quantity (drugs only): the Medications page's most
-- disputed drugs and their strengths, the medians from the counts per quantity.
CREATE TABLE IF NOT EXISTS mart_drug_quantities (
    drug_generic VARCHAR NOT NULL,
    drug_class   VARCHAR,
    strength     VARCHAR,
    quantity     INTEGER,
    decisions    BIGINT NOT NULL,
    overturned   BIGINT NOT NULL
);

-- Decisions by what each side cited: the Guidelines page.
CREATE TABLE IF NOT EXISTS mart_guideline_groups (
    imr_source_key      VARCHAR,
    ca_source_key       VARCHAR,
    imr_guideline_group VARCHAR,
    ca_guideline_group  VARCHAR,
    imr_mtus_chapter    VARCHAR,
    same_sources_as_ca  BOOLEAN,
    decisions           BIGINT NOT NULL,
    overturned          BIGINT NOT NULL
);

-- Decisions by the reviewer's primary specialty and licence and the service category: the Reviewers page.
CREATE TABLE IF NOT EXISTS mart_reviewer_groups (
    reviewer_specialty  VARCHAR,
    service_category    service_category_t,
    reviewer_ca_licence VARCHAR,
    decisions           BIGINT NOT NULL,
    overturned          BIGINT NOT NULL
);

-- Upheld decisions whose reasons were read, over all and by service category, drug class, primary
-- specialty and year (dimension 'all', 'service_category', 'drug_class', 'reviewer_specialty',
-- 'decision_year'; group_name the group, as text): with code NULL, the group's decisions; with a code,
-- those giving it. The Reasons page's shares (queries/reasons_breakdowns.sql).
CREATE TABLE IF NOT EXISTS mart_reason_counts (
    dimension  VARCHAR NOT NULL,
    group_name VARCHAR NOT NULL,
    code       VARCHAR,
    decisions  BIGINT NOT NULL
);

-- Upheld decisions by the set of reason codes they give (an empty list: none read): the Reasons
-- page's summary, whichever codes reason_labels.csv counts as a gap in the records.
CREATE TABLE IF NOT EXISTS mart_reason_sets (
    reason_codes VARCHAR[] NOT NULL,
    decisions    BIGINT NOT NULL
);
