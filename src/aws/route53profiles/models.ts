// Route 53 Profiles data shapes and operation inputs/outputs, member for member as in
// models/route53profiles.service-2.json (API 2018-05-10) and the official JS client's types.
import type { MetadataBearer } from '@smithy/types';

export const ProfileStatus = {
  COMPLETE: 'COMPLETE',
  CREATING: 'CREATING',
  DELETED: 'DELETED',
  DELETING: 'DELETING',
  FAILED: 'FAILED',
  UPDATING: 'UPDATING',
} as const;
export type ProfileStatus = (typeof ProfileStatus)[keyof typeof ProfileStatus];

export const ShareStatus = {
  NOT_SHARED: 'NOT_SHARED',
  SHARED_BY_ME: 'SHARED_BY_ME',
  SHARED_WITH_ME: 'SHARED_WITH_ME',
} as const;
export type ShareStatus = (typeof ShareStatus)[keyof typeof ShareStatus];

export interface Tag {
  Key: string | undefined;
  Value: string | undefined;
}

export interface Profile {
  Id?: string | undefined;
  Arn?: string | undefined;
  Name?: string | undefined;
  ShareStatus?: ShareStatus | undefined;
  OwnerId?: string | undefined;
  CreationTime?: Date | undefined;
  ModificationTime?: Date | undefined;
  Status?: ProfileStatus | undefined;
  StatusMessage?: string | undefined;
  ClientToken?: string | undefined;
}

export interface ProfileSummary {
  Id?: string | undefined;
  Arn?: string | undefined;
  Name?: string | undefined;
  ShareStatus?: ShareStatus | undefined;
}

export interface ProfileAssociation {
  Id?: string | undefined;
  ResourceId?: string | undefined;
  ProfileId?: string | undefined;
  Name?: string | undefined;
  Status?: ProfileStatus | undefined;
  StatusMessage?: string | undefined;
  OwnerId?: string | undefined;
  CreationTime?: Date | undefined;
  ModificationTime?: Date | undefined;
}

export interface ProfileResourceAssociation {
  Id?: string | undefined;
  Name?: string | undefined;
  ProfileId?: string | undefined;
  ResourceArn?: string | undefined;
  ResourceType?: string | undefined;
  ResourceProperties?: string | undefined;
  Status?: ProfileStatus | undefined;
  StatusMessage?: string | undefined;
  OwnerId?: string | undefined;
  CreationTime?: Date | undefined;
  ModificationTime?: Date | undefined;
}

// ---------------------------------------------------------------------------------------------
// Requests and responses

export interface AssociateProfileRequest {
  ProfileId: string | undefined;
  ResourceId: string | undefined;
  Name: string | undefined;
  Tags?: Tag[] | undefined;
}
export interface AssociateProfileResponse {
  ProfileAssociation?: ProfileAssociation | undefined;
}

export interface AssociateResourceToProfileRequest {
  ProfileId: string | undefined;
  ResourceArn: string | undefined;
  Name: string | undefined;
  ResourceProperties?: string | undefined;
}
export interface AssociateResourceToProfileResponse {
  ProfileResourceAssociation?: ProfileResourceAssociation | undefined;
}

export interface CreateProfileRequest {
  Name: string | undefined;
  /** Idempotency token; generated (UUID v4) when omitted, as the SDK does. */
  ClientToken?: string | undefined;
  Tags?: Tag[] | undefined;
}
export interface CreateProfileResponse {
  Profile?: Profile | undefined;
}

export interface DeleteProfileRequest {
  ProfileId: string | undefined;
}
export interface DeleteProfileResponse {
  Profile?: Profile | undefined;
}

export interface DisassociateProfileRequest {
  ProfileId: string | undefined;
  ResourceId: string | undefined;
}
export interface DisassociateProfileResponse {
  ProfileAssociation?: ProfileAssociation | undefined;
}

export interface DisassociateResourceFromProfileRequest {
  ProfileId: string | undefined;
  ResourceArn: string | undefined;
}
export interface DisassociateResourceFromProfileResponse {
  ProfileResourceAssociation?: ProfileResourceAssociation | undefined;
}

export interface GetProfileRequest {
  ProfileId: string | undefined;
}
export interface GetProfileResponse {
  Profile?: Profile | undefined;
}

export interface GetProfileAssociationRequest {
  ProfileAssociationId: string | undefined;
}
export interface GetProfileAssociationResponse {
  ProfileAssociation?: ProfileAssociation | undefined;
}

export interface GetProfileResourceAssociationRequest {
  ProfileResourceAssociationId: string | undefined;
}
export interface GetProfileResourceAssociationResponse {
  ProfileResourceAssociation?: ProfileResourceAssociation | undefined;
}

export interface ListProfileAssociationsRequest {
  ResourceId?: string | undefined;
  ProfileId?: string | undefined;
  MaxResults?: number | undefined;
  NextToken?: string | undefined;
}
export interface ListProfileAssociationsResponse {
  ProfileAssociations?: ProfileAssociation[] | undefined;
  NextToken?: string | undefined;
}

export interface ListProfileResourceAssociationsRequest {
  ProfileId: string | undefined;
  ResourceType?: string | undefined;
  MaxResults?: number | undefined;
  NextToken?: string | undefined;
}
export interface ListProfileResourceAssociationsResponse {
  NextToken?: string | undefined;
  ProfileResourceAssociations?: ProfileResourceAssociation[] | undefined;
}

export interface ListProfilesRequest {
  MaxResults?: number | undefined;
  NextToken?: string | undefined;
}
export interface ListProfilesResponse {
  NextToken?: string | undefined;
  ProfileSummaries?: ProfileSummary[] | undefined;
}

export interface ListTagsForResourceRequest {
  ResourceArn: string | undefined;
}
export interface ListTagsForResourceResponse {
  Tags: Record<string, string> | undefined;
}

export interface TagResourceRequest {
  ResourceArn: string | undefined;
  Tags: Record<string, string> | undefined;
}
export interface TagResourceResponse {}

export interface UntagResourceRequest {
  ResourceArn: string | undefined;
  TagKeys: string[] | undefined;
}
export interface UntagResourceResponse {}

export interface UpdateProfileResourceAssociationRequest {
  ProfileResourceAssociationId: string | undefined;
  Name?: string | undefined;
  ResourceProperties?: string | undefined;
}
export interface UpdateProfileResourceAssociationResponse {
  ProfileResourceAssociation?: ProfileResourceAssociation | undefined;
}

/** Operation name → [request, response] (the table the commands and serde are typed by). */
export interface Route53ProfilesOperations {
  AssociateProfile: [AssociateProfileRequest, AssociateProfileResponse];
  AssociateResourceToProfile: [AssociateResourceToProfileRequest, AssociateResourceToProfileResponse];
  CreateProfile: [CreateProfileRequest, CreateProfileResponse];
  DeleteProfile: [DeleteProfileRequest, DeleteProfileResponse];
  DisassociateProfile: [DisassociateProfileRequest, DisassociateProfileResponse];
  DisassociateResourceFromProfile: [DisassociateResourceFromProfileRequest, DisassociateResourceFromProfileResponse];
  GetProfile: [GetProfileRequest, GetProfileResponse];
  GetProfileAssociation: [GetProfileAssociationRequest, GetProfileAssociationResponse];
  GetProfileResourceAssociation: [GetProfileResourceAssociationRequest, GetProfileResourceAssociationResponse];
  ListProfileAssociations: [ListProfileAssociationsRequest, ListProfileAssociationsResponse];
  ListProfileResourceAssociations: [ListProfileResourceAssociationsRequest, ListProfileResourceAssociationsResponse];
  ListProfiles: [ListProfilesRequest, ListProfilesResponse];
  ListTagsForResource: [ListTagsForResourceRequest, ListTagsForResourceResponse];
  TagResource: [TagResourceRequest, TagResourceResponse];
  UntagResource: [UntagResourceRequest, UntagResourceResponse];
  UpdateProfileResourceAssociation: [UpdateProfileResourceAssociationRequest, UpdateProfileResourceAssociationResponse];
}

export type OperationName = keyof Route53ProfilesOperations;
export type OperationInput<K extends OperationName> = Route53ProfilesOperations[K][0];
export type OperationOutput<K extends OperationName> = Route53ProfilesOperations[K][1] & MetadataBearer;
