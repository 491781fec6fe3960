/**
 * Refusals of the organization rules, typed so services stay free of HTTP: the routes
 * turn each kind into its status (see `orgRefusalStatus`). Messages say what to do.
 */
export type OrgRefusalKind = 'not_found' | 'forbidden' | 'conflict' | 'invalid' | 'unavailable';

export class OrgRefusal extends Error {
  constructor(
    readonly kind: OrgRefusalKind,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'OrgRefusal';
  }
}

export const OrgMessages = {
  orgNotFound: 'Organization not found',
  memberNotFound: 'Member not found',
  invitationNotFound: 'Invitation not found',
  lastOwner: 'An organization must keep at least one owner: make another member an owner first',
  adminsOnly: 'Only owners and admins of the organization can do this',
  ownersOnly: 'Only owners of the organization can do this',
  ownersManageOwners: 'Only owners can make, change or remove owners',
  slugTaken: 'An organization with this slug already exists',
  alreadyMember: 'This user is already a member of the organization',
  invitationInvalid: 'Invalid or expired invitation',
  invitationOtherEmail: 'This invitation was sent to another email address: sign in with that address to accept it',
  creationAdminsOnly: 'Only administrators can create organizations',
  creationNeedsVerifiedEmail: 'Verify your email address before creating an organization',
  mailOff: 'Email is not configured, so invitations cannot be sent',
  /** `who`: "You are", "This user is", or the account's address and "is" (the CLI). */
  soleOwner: (who: string, names: string[]) =>
    `${who} the only owner of ${names.join(', ')}: make another member an owner, or delete ${names.length === 1 ? 'it' : 'them'}, first`,
  domainTaken: (domain: string) => `The domain ${domain} already belongs to another organization`,
  domainNotProven: (domain: string) =>
    `Only an owner whose own verified email address is at ${domain} (or an administrator) can claim it`,
  domainInvalid: (domain: string) => `${domain} is not a domain name`,
} as const;

export const notFound = (detail: string = OrgMessages.orgNotFound) => new OrgRefusal('not_found', detail);
export const forbidden = (detail: string) => new OrgRefusal('forbidden', detail);
export const conflict = (detail: string) => new OrgRefusal('conflict', detail);
