/**
 * The OCSF 1.8.0 event classes this product writes, with the captions the schema gives their
 * category and activities (events/iam/*.json, events/application/api_activity.json and the
 * activity ids 0 Unknown and 99 Other every class inherits from events/base_event.json).
 */

/** One OCSF event class: its uid is `category_uid * 1000 + ` the class's own uid. */
export interface OcsfClass {
  readonly uid: number;
  readonly name: string;
  readonly categoryUid: number;
  readonly categoryName: string;
  /** Every `activity_id` the schema defines for the class, with its caption. */
  readonly activities: Readonly<Record<number, string>>;
}

const IAM = { categoryUid: 3, categoryName: 'Identity & Access Management' } as const;
const APPLICATION = { categoryUid: 6, categoryName: 'Application Activity' } as const;
const INHERITED = { 0: 'Unknown', 99: 'Other' } as const;

export const ACCOUNT_CHANGE: OcsfClass = {
  uid: 3001,
  name: 'Account Change',
  ...IAM,
  activities: {
    ...INHERITED,
    1: 'Create',
    2: 'Enable',
    3: 'Password Change',
    4: 'Password Reset',
    5: 'Disable',
    6: 'Delete',
    7: 'Attach Policy',
    8: 'Detach Policy',
    9: 'Lock',
    10: 'MFA Factor Enable',
    11: 'MFA Factor Disable',
    12: 'Unlock',
  },
};

export const AUTHENTICATION: OcsfClass = {
  uid: 3002,
  name: 'Authentication',
  ...IAM,
  activities: {
    ...INHERITED,
    1: 'Logon',
    2: 'Logoff',
    3: 'Authentication Ticket',
    4: 'Service Ticket Request',
    5: 'Service Ticket Renew',
    6: 'Preauth',
    7: 'Account Switch',
  },
};

export const ENTITY_MANAGEMENT: OcsfClass = {
  uid: 3004,
  name: 'Entity Management',
  ...IAM,
  activities: {
    ...INHERITED,
    1: 'Create',
    2: 'Read',
    3: 'Update',
    4: 'Delete',
    5: 'Move',
    6: 'Enroll',
    7: 'Unenroll',
    8: 'Enable',
    9: 'Disable',
    10: 'Activate',
    11: 'Deactivate',
    12: 'Suspend',
    13: 'Resume',
  },
};

export const USER_ACCESS_MANAGEMENT: OcsfClass = {
  uid: 3005,
  name: 'User Access Management',
  ...IAM,
  activities: { ...INHERITED, 1: 'Assign Privileges', 2: 'Revoke Privileges' },
};

export const GROUP_MANAGEMENT: OcsfClass = {
  uid: 3006,
  name: 'Group Management',
  ...IAM,
  activities: {
    ...INHERITED,
    1: 'Assign Privileges',
    2: 'Revoke Privileges',
    3: 'Add User',
    4: 'Remove User',
    5: 'Delete',
    6: 'Create',
    7: 'Add Subgroup',
    8: 'Remove Subgroup',
  },
};

export const API_ACTIVITY: OcsfClass = {
  uid: 6003,
  name: 'API Activity',
  ...APPLICATION,
  activities: { ...INHERITED, 1: 'Create', 2: 'Read', 3: 'Update', 4: 'Delete' },
};

/** Every class the `ocsf` format writes, by uid: the Security Lake destination has one custom source per class. */
export const OCSF_CLASSES: ReadonlyMap<number, OcsfClass> = new Map(
  [ACCOUNT_CHANGE, AUTHENTICATION, ENTITY_MANAGEMENT, USER_ACCESS_MANAGEMENT, GROUP_MANAGEMENT, API_ACTIVITY].map((ocsfClass) => [ocsfClass.uid, ocsfClass]),
);

/** `type_uid`: the class and the activity in one number, as the schema defines it. */
export function typeUid(ocsfClass: OcsfClass, activityId: number): number {
  return ocsfClass.uid * 100 + activityId;
}
