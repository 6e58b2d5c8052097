// npm run migration:check: fails when prisma/schema.prisma has changes that no migration creates yet.
import { diffMigrationsToSchema, isEmptyMigration } from './lib/schema-engine.ts';

const sql = await diffMigrationsToSchema();
if (isEmptyMigration(sql)) {
  console.log('migration:check OK: prisma/migrations matches prisma/schema.prisma');
} else {
  console.error('prisma/schema.prisma has changes without a migration (run npm run migration:new -- <name>):\n');
  console.error(sql);
  process.exitCode = 1;
}
