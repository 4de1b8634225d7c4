-- After seeding: every existing table has full replica identity and is readable by the capture account.
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT schemaname, tablename FROM pg_tables WHERE schemaname = 'public' LOOP
    EXECUTE format('ALTER TABLE %I.%I REPLICA IDENTITY FULL', r.schemaname, r.tablename);
  END LOOP;
END $$;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO terrarium;
SELECT count(*) AS tables_without_full_identity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relreplident <> 'f';
