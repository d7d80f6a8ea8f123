// Paginators per models/route53profiles.paginators-1.json (input/output token NextToken, limit
// key MaxResults), built with the SDK's own createPaginator so they behave exactly like the
// official client's: async iterables of whole pages, `pageSize`, `startingToken`,
// `stopOnSameToken`.
import { createPaginator } from '@smithy/core';
import type { PaginationConfiguration, Paginator } from '@smithy/types';
import { Route53ProfilesClient } from './client.js';
import {
  ListProfileAssociationsCommand,
  ListProfileResourceAssociationsCommand,
  ListProfilesCommand,
  type ListProfileAssociationsCommandInput,
  type ListProfileAssociationsCommandOutput,
  type ListProfileResourceAssociationsCommandInput,
  type ListProfileResourceAssociationsCommandOutput,
  type ListProfilesCommandInput,
  type ListProfilesCommandOutput,
} from './commands.js';

/** PaginationConfiguration with this client (the SDK's type wants a full Smithy Client). */
export interface Route53ProfilesPaginationConfiguration extends Omit<PaginationConfiguration, 'client'> {
  client: Route53ProfilesClient;
}

export const paginateListProfiles: (
  config: Route53ProfilesPaginationConfiguration,
  input: ListProfilesCommandInput,
  ...rest: any[]
) => Paginator<ListProfilesCommandOutput> = createPaginator<any, ListProfilesCommandInput, ListProfilesCommandOutput>(
  Route53ProfilesClient,
  ListProfilesCommand,
  'NextToken',
  'NextToken',
  'MaxResults',
);

export const paginateListProfileAssociations: (
  config: Route53ProfilesPaginationConfiguration,
  input: ListProfileAssociationsCommandInput,
  ...rest: any[]
) => Paginator<ListProfileAssociationsCommandOutput> = createPaginator<any,
  ListProfileAssociationsCommandInput,
  ListProfileAssociationsCommandOutput
>(Route53ProfilesClient, ListProfileAssociationsCommand, 'NextToken', 'NextToken', 'MaxResults');

export const paginateListProfileResourceAssociations: (
  config: Route53ProfilesPaginationConfiguration,
  input: ListProfileResourceAssociationsCommandInput,
  ...rest: any[]
) => Paginator<ListProfileResourceAssociationsCommandOutput> = createPaginator<any,
  ListProfileResourceAssociationsCommandInput,
  ListProfileResourceAssociationsCommandOutput
>(Route53ProfilesClient, ListProfileResourceAssociationsCommand, 'NextToken', 'NextToken', 'MaxResults');
