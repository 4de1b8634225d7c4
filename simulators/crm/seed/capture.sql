-- Run as the superuser in the tryton database, before Tryton creates its tables.
-- Every table, now and later, logs full before-values for logical decoding.
CREATE FUNCTION terrarium_replica_identity() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  FOR r IN SELECT * FROM pg_event_trigger_ddl_commands()
           WHERE command_tag IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO') AND object_type = 'table' LOOP
    EXECUTE format('ALTER TABLE %s REPLICA IDENTITY FULL', r.object_identity);
  END LOOP;
END $$;
CREATE EVENT TRIGGER terrarium_replica_identity ON ddl_command_end
  WHEN TAG IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO')
  EXECUTE FUNCTION terrarium_replica_identity();
-- The capture account reads every table, including the ones Tryton creates later.
GRANT CONNECT ON DATABASE tryton TO terrarium;
GRANT USAGE ON SCHEMA public TO terrarium;
ALTER DEFAULT PRIVILEGES FOR ROLE tryton IN SCHEMA public GRANT SELECT ON TABLES TO terrarium;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT SELECT ON TABLES TO terrarium;
