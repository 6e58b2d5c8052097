-- AuditLog is append-only: the database itself refuses to change or remove an entry, so neither a bug nor a
-- hand-typed query can rewrite history. Prisma's diff does not see functions or triggers, so this stays
-- out of the schema and is written by hand.

-- CreateFunction
CREATE FUNCTION "AuditLog_refuse_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Default SQLSTATE P0001: a constraint code would make Prisma report a misleading relation error.
  RAISE EXCEPTION 'AuditLog is append-only'
    USING DETAIL = format('%s on "AuditLog" refused', TG_OP);
END;
$$;

-- CreateTrigger
CREATE TRIGGER "AuditLog_append_only"
  BEFORE UPDATE OR DELETE ON "AuditLog"
  FOR EACH ROW EXECUTE FUNCTION "AuditLog_refuse_change"();

-- CreateTrigger
CREATE TRIGGER "AuditLog_no_truncate"
  BEFORE TRUNCATE ON "AuditLog"
  FOR EACH STATEMENT EXECUTE FUNCTION "AuditLog_refuse_change"();
