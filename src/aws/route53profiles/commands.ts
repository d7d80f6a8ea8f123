// One command class per Route 53 Profiles operation, named and typed like the official client's
// (`new GetProfileCommand({ ProfileId })`, `client.send(command)`), so callers can switch to
// @aws-sdk/client-route53profiles by changing the import.
import type { MetadataBearer } from '@smithy/types';
import type * as M from './models.js';
import type { OperationName } from './models.js';

/** What Route53ProfilesClient.send() accepts. */
export interface Route53ProfilesCommand<Input extends object, Output extends MetadataBearer> {
  readonly input: Input;
  readonly operation: OperationName;
  /** Type-only: ties the command to its output type. */
  readonly __outputType?: Output;
}

function command<K extends OperationName, Input extends object, Output extends MetadataBearer>(operation: K) {
  return class implements Route53ProfilesCommand<Input, Output> {
    static readonly operation: K = operation;
    readonly operation: K = operation;
    declare readonly __outputType?: Output;
    constructor(readonly input: Input) {}
  };
}

export type AssociateProfileCommandInput = M.AssociateProfileRequest;
export type AssociateProfileCommandOutput = M.AssociateProfileResponse & MetadataBearer;
export class AssociateProfileCommand extends command<'AssociateProfile', AssociateProfileCommandInput, AssociateProfileCommandOutput>('AssociateProfile') {}

export type AssociateResourceToProfileCommandInput = M.AssociateResourceToProfileRequest;
export type AssociateResourceToProfileCommandOutput = M.AssociateResourceToProfileResponse & MetadataBearer;
export class AssociateResourceToProfileCommand extends command<
  'AssociateResourceToProfile',
  AssociateResourceToProfileCommandInput,
  AssociateResourceToProfileCommandOutput
>('AssociateResourceToProfile') {}

export type CreateProfileCommandInput = M.CreateProfileRequest;
export type CreateProfileCommandOutput = M.CreateProfileResponse & MetadataBearer;
export class CreateProfileCommand extends command<'CreateProfile', CreateProfileCommandInput, CreateProfileCommandOutput>('CreateProfile') {}

export type DeleteProfileCommandInput = M.DeleteProfileRequest;
export type DeleteProfileCommandOutput = M.DeleteProfileResponse & MetadataBearer;
export class DeleteProfileCommand extends command<'DeleteProfile', DeleteProfileCommandInput, DeleteProfileCommandOutput>('DeleteProfile') {}

export type DisassociateProfileCommandInput = M.DisassociateProfileRequest;
export type DisassociateProfileCommandOutput = M.DisassociateProfileResponse & MetadataBearer;
export class DisassociateProfileCommand extends command<'DisassociateProfile', DisassociateProfileCommandInput, DisassociateProfileCommandOutput>(
  'DisassociateProfile',
) {}

export type DisassociateResourceFromProfileCommandInput = M.DisassociateResourceFromProfileRequest;
export type DisassociateResourceFromProfileCommandOutput = M.DisassociateResourceFromProfileResponse & MetadataBearer;
export class DisassociateResourceFromProfileCommand extends command<
  'DisassociateResourceFromProfile',
  DisassociateResourceFromProfileCommandInput,
  DisassociateResourceFromProfileCommandOutput
>('DisassociateResourceFromProfile') {}

export type GetProfileCommandInput = M.GetProfileRequest;
export type GetProfileCommandOutput = M.GetProfileResponse & MetadataBearer;
export class GetProfileCommand extends command<'GetProfile', GetProfileCommandInput, GetProfileCommandOutput>('GetProfile') {}

export type GetProfileAssociationCommandInput = M.GetProfileAssociationRequest;
export type GetProfileAssociationCommandOutput = M.GetProfileAssociationResponse & MetadataBearer;
export class GetProfileAssociationCommand extends command<'GetProfileAssociation', GetProfileAssociationCommandInput, GetProfileAssociationCommandOutput>(
  'GetProfileAssociation',
) {}

export type GetProfileResourceAssociationCommandInput = M.GetProfileResourceAssociationRequest;
export type GetProfileResourceAssociationCommandOutput = M.GetProfileResourceAssociationResponse & MetadataBearer;
export class GetProfileResourceAssociationCommand extends command<
  'GetProfileResourceAssociation',
  GetProfileResourceAssociationCommandInput,
  GetProfileResourceAssociationCommandOutput
>('GetProfileResourceAssociation') {}

export type ListProfileAssociationsCommandInput = M.ListProfileAssociationsRequest;
export type ListProfileAssociationsCommandOutput = M.ListProfileAssociationsResponse & MetadataBearer;
export class ListProfileAssociationsCommand extends command<
  'ListProfileAssociations',
  ListProfileAssociationsCommandInput,
  ListProfileAssociationsCommandOutput
>('ListProfileAssociations') {}

export type ListProfileResourceAssociationsCommandInput = M.ListProfileResourceAssociationsRequest;
export type ListProfileResourceAssociationsCommandOutput = M.ListProfileResourceAssociationsResponse & MetadataBearer;
export class ListProfileResourceAssociationsCommand extends command<
  'ListProfileResourceAssociations',
  ListProfileResourceAssociationsCommandInput,
  ListProfileResourceAssociationsCommandOutput
>('ListProfileResourceAssociations') {}

export type ListProfilesCommandInput = M.ListProfilesRequest;
export type ListProfilesCommandOutput = M.ListProfilesResponse & MetadataBearer;
export class ListProfilesCommand extends command<'ListProfiles', ListProfilesCommandInput, ListProfilesCommandOutput>('ListProfiles') {}

export type ListTagsForResourceCommandInput = M.ListTagsForResourceRequest;
export type ListTagsForResourceCommandOutput = M.ListTagsForResourceResponse & MetadataBearer;
export class ListTagsForResourceCommand extends command<'ListTagsForResource', ListTagsForResourceCommandInput, ListTagsForResourceCommandOutput>(
  'ListTagsForResource',
) {}

export type TagResourceCommandInput = M.TagResourceRequest;
export type TagResourceCommandOutput = M.TagResourceResponse & MetadataBearer;
export class TagResourceCommand extends command<'TagResource', TagResourceCommandInput, TagResourceCommandOutput>('TagResource') {}

export type UntagResourceCommandInput = M.UntagResourceRequest;
export type UntagResourceCommandOutput = M.UntagResourceResponse & MetadataBearer;
export class UntagResourceCommand extends command<'UntagResource', UntagResourceCommandInput, UntagResourceCommandOutput>('UntagResource') {}

export type UpdateProfileResourceAssociationCommandInput = M.UpdateProfileResourceAssociationRequest;
export type UpdateProfileResourceAssociationCommandOutput = M.UpdateProfileResourceAssociationResponse & MetadataBearer;
export class UpdateProfileResourceAssociationCommand extends command<
  'UpdateProfileResourceAssociation',
  UpdateProfileResourceAssociationCommandInput,
  UpdateProfileResourceAssociationCommandOutput
>('UpdateProfileResourceAssociation') {}
