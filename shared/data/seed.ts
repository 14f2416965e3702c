/**
 * Idempotent seeding of Shenzhen's org tree from shared/reference/shenzhen-divisions.json
 * (a copy kept in the repo). Conditional puts: running it again writes nothing.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { putOrgUnitIfAbsent, toOrgUnit } from './org-units.js';

interface Divisions {
  city: { id: string; name: string; nameEn?: string };
  districts: { id: string; name: string; nameEn?: string; code?: string; streets: [string, string][] }[];
}

const DIVISIONS_FILE = fileURLToPath(new URL('../reference/shenzhen-divisions.json', import.meta.url));

export const orgUnitsFromDivisions = (d: Divisions) => [
  toOrgUnit(d.city),
  ...d.districts.flatMap((district) => [
    toOrgUnit({ id: district.id, name: district.name, nameEn: district.nameEn, code: district.code }),
    ...district.streets.map(([streetId, name]) => toOrgUnit({ id: `${district.id}.${streetId}`, name })),
  ]),
];

export const seedOrgTree = async (): Promise<{ written: number; total: number }> => {
  const divisions = JSON.parse(await readFile(DIVISIONS_FILE, 'utf8')) as Divisions;
  const units = orgUnitsFromDivisions(divisions);
  let written = 0;
  // Small batches in parallel: quick, and gentle on DynamoDB Local.
  for (let i = 0; i < units.length; i += 10) {
    const results = await Promise.all(units.slice(i, i + 10).map(putOrgUnitIfAbsent));
    written += results.filter(Boolean).length;
  }
  return { written, total: units.length };
};
