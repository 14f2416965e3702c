/**
 * An organiser acting for a volunteer (enrolling them, back-filling their hours) must be able
 * to act for that person, not only on the activity: admins over the volunteer's node, the
 * leader of a team the volunteer belongs to, or the volunteer themselves. This also makes the
 * volunteer's existence a precondition (404), so no place or hour goes to an unknown id.
 */
import type { Principal } from '../domain/access.js';
import { isAllowed } from '../domain/policy.js';
import { readVolunteer, type Volunteer } from '../data/volunteers.js';
import { erasedVolunteer } from '../data/participation.js';
import { forbidden } from '../errors.js';

/**
 * A volunteer whose personal data was erased on their request takes part in nothing new: no
 * enrollment, team membership or hour record is added for the pseudonym that remains.
 */
export const refuseErased = <V extends Pick<Volunteer, 'erasedAt' | 'erasing'>>(volunteer: V): V => {
  // The early answer; the write itself checks again (shared/data/participation.ts).
  if (volunteer.erasedAt || volunteer.erasing) throw erasedVolunteer();
  return volunteer;
};

export const volunteerInReach = async (principal: Principal, volunteerId: string) => {
  const leaderTeam = principal.role === 'team_leader' ? principal.scope : undefined;
  const { volunteer, memberOfLeadersTeam } = await readVolunteer(volunteerId, 0, leaderTeam);
  const allowed = isAllowed(principal, 'volunteer:read', {
    orgUnitId: volunteer.orgUnitId,
    volunteerId: volunteer.id,
    memberOfCallersTeam: memberOfLeadersTeam,
  });
  if (!allowed) throw forbidden();
  return refuseErased(volunteer);
};
