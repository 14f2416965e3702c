/**
 * Mainland mobile numbers and resident identity numbers that are valid and unique per run:
 * derived from the clock in quarter-second slots (and never repeating within a process), so the
 * demo can run again and again on a persistent database without 409s. The identity-number space
 * (9 districts × 40 years of birth dates × 1000 sequence numbers) lasts about a year of slots.
 */
import { residentIdCheckChar } from '../../shared/domain/identity.js';

/** GB/T 2260 codes of Shenzhen's districts: the first six digits of a resident ID issued there. */
const DISTRICT_CODES = ['440303', '440304', '440305', '440306', '440307', '440308', '440309', '440310', '440311'];
const BIRTH_EPOCH = Date.UTC(1960, 0, 1);
/** Birth dates 1960-01-01 … late 1999: veterans, all adults. */
const BIRTH_DAYS = 14_600;
const SLOT_MS = 250;

let lastSlot = 0;
/** Quarter-seconds since the epoch, strictly increasing within this process. */
const nextSlot = () => {
  lastSlot = Math.max(Math.floor(Date.now() / SLOT_MS), lastSlot + 1);
  return lastSlot;
};

/** 11 digits 1[3-9]xxxxxxxxx from a slot. */
export const phoneOf = (slot: number) => {
  const v = slot % 7e9;
  return `1${3 + Math.floor(v / 1e9)}${String(v % 1e9).padStart(9, '0')}`;
};

/** 18 characters: district code, birth date, sequence number, check character. */
export const residentIdOf = (slot: number) => {
  const v = slot % (DISTRICT_CODES.length * BIRTH_DAYS * 1000);
  const district = DISTRICT_CODES[v % DISTRICT_CODES.length];
  const birth = new Date(BIRTH_EPOCH + (Math.floor(v / DISTRICT_CODES.length) % BIRTH_DAYS) * 86_400_000);
  const yyyymmdd = birth.toISOString().slice(0, 10).replace(/-/g, '');
  const order = String(Math.floor(v / (DISTRICT_CODES.length * BIRTH_DAYS)) % 1000).padStart(3, '0');
  const first17 = `${district}${yyyymmdd}${order}`;
  return first17 + residentIdCheckChar(first17);
};

/** A fresh phone and identity number pair. */
export const uniqueIdentity = () => {
  const slot = nextSlot();
  return { phone: phoneOf(slot), idNumber: residentIdOf(slot) };
};
