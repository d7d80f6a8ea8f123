// The Route 53 Profiles exceptions, shaped like @aws-sdk/client-route53profiles: one class per
// modelled error (models/route53profiles.service-2.json), all extending the service's base class,
// which extends the SDK's own ServiceException so `instanceof ServiceException` keeps working.
// Every modelled error carries the Smithy @error("client") trait (that is what the official
// client declares, InternalServiceErrorException included); an unmodelled code becomes the base
// class with the wire code as its name and a fault derived from the HTTP status.
import { ServiceException, type ExceptionOptionType, type ServiceExceptionOptions } from '@smithy/core/client';

export type { ExceptionOptionType, ServiceExceptionOptions };

/** Base exception class for all service exceptions from the Route 53 Profiles service. */
export class Route53ProfilesServiceException extends ServiceException {
  constructor(options: ServiceExceptionOptions) {
    super(options);
    Object.setPrototypeOf(this, Route53ProfilesServiceException.prototype);
  }
}

type Opts<T extends Route53ProfilesServiceException> = ExceptionOptionType<T, Route53ProfilesServiceException>;

export class AccessDeniedException extends Route53ProfilesServiceException {
  static override readonly shapeId: string = 'com.amazonaws.route53profiles#AccessDeniedException';
  override readonly name = 'AccessDeniedException' as const;
  override readonly $fault = 'client' as const;
  Message?: string | undefined;
  constructor(opts: Opts<AccessDeniedException>) {
    super({ name: 'AccessDeniedException', $fault: 'client', ...opts });
    Object.setPrototypeOf(this, AccessDeniedException.prototype);
    this.Message = opts.Message;
  }
}

export class ConflictException extends Route53ProfilesServiceException {
  static override readonly shapeId: string = 'com.amazonaws.route53profiles#ConflictException';
  override readonly name = 'ConflictException' as const;
  override readonly $fault = 'client' as const;
  Message?: string | undefined;
  constructor(opts: Opts<ConflictException>) {
    super({ name: 'ConflictException', $fault: 'client', ...opts });
    Object.setPrototypeOf(this, ConflictException.prototype);
    this.Message = opts.Message;
  }
}

export class InternalServiceErrorException extends Route53ProfilesServiceException {
  static override readonly shapeId: string = 'com.amazonaws.route53profiles#InternalServiceErrorException';
  override readonly name = 'InternalServiceErrorException' as const;
  override readonly $fault = 'client' as const;
  Message?: string | undefined;
  constructor(opts: Opts<InternalServiceErrorException>) {
    super({ name: 'InternalServiceErrorException', $fault: 'client', ...opts });
    Object.setPrototypeOf(this, InternalServiceErrorException.prototype);
    this.Message = opts.Message;
  }
}

export class InvalidNextTokenException extends Route53ProfilesServiceException {
  static override readonly shapeId: string = 'com.amazonaws.route53profiles#InvalidNextTokenException';
  override readonly name = 'InvalidNextTokenException' as const;
  override readonly $fault = 'client' as const;
  Message?: string | undefined;
  constructor(opts: Opts<InvalidNextTokenException>) {
    super({ name: 'InvalidNextTokenException', $fault: 'client', ...opts });
    Object.setPrototypeOf(this, InvalidNextTokenException.prototype);
    this.Message = opts.Message;
  }
}

export class InvalidParameterException extends Route53ProfilesServiceException {
  static override readonly shapeId: string = 'com.amazonaws.route53profiles#InvalidParameterException';
  override readonly name = 'InvalidParameterException' as const;
  override readonly $fault = 'client' as const;
  Message: string | undefined;
  /** The parameter field name for the invalid parameter exception. */
  FieldName?: string | undefined;
  constructor(opts: Opts<InvalidParameterException>) {
    super({ name: 'InvalidParameterException', $fault: 'client', ...opts });
    Object.setPrototypeOf(this, InvalidParameterException.prototype);
    this.Message = opts.Message;
    this.FieldName = opts.FieldName;
  }
}

export class LimitExceededException extends Route53ProfilesServiceException {
  static override readonly shapeId: string = 'com.amazonaws.route53profiles#LimitExceededException';
  override readonly name = 'LimitExceededException' as const;
  override readonly $fault = 'client' as const;
  Message?: string | undefined;
  /** The resource type that caused the limits to be exceeded. */
  ResourceType?: string | undefined;
  constructor(opts: Opts<LimitExceededException>) {
    super({ name: 'LimitExceededException', $fault: 'client', ...opts });
    Object.setPrototypeOf(this, LimitExceededException.prototype);
    this.Message = opts.Message;
    this.ResourceType = opts.ResourceType;
  }
}

export class ResourceExistsException extends Route53ProfilesServiceException {
  static override readonly shapeId: string = 'com.amazonaws.route53profiles#ResourceExistsException';
  override readonly name = 'ResourceExistsException' as const;
  override readonly $fault = 'client' as const;
  Message?: string | undefined;
  /** The resource type that caused the resource exists exception. */
  ResourceType?: string | undefined;
  constructor(opts: Opts<ResourceExistsException>) {
    super({ name: 'ResourceExistsException', $fault: 'client', ...opts });
    Object.setPrototypeOf(this, ResourceExistsException.prototype);
    this.Message = opts.Message;
    this.ResourceType = opts.ResourceType;
  }
}

export class ResourceNotFoundException extends Route53ProfilesServiceException {
  static override readonly shapeId: string = 'com.amazonaws.route53profiles#ResourceNotFoundException';
  override readonly name = 'ResourceNotFoundException' as const;
  override readonly $fault = 'client' as const;
  Message?: string | undefined;
  /** The resource type that caused the resource not found exception. */
  ResourceType?: string | undefined;
  constructor(opts: Opts<ResourceNotFoundException>) {
    super({ name: 'ResourceNotFoundException', $fault: 'client', ...opts });
    Object.setPrototypeOf(this, ResourceNotFoundException.prototype);
    this.Message = opts.Message;
    this.ResourceType = opts.ResourceType;
  }
}

export class ThrottlingException extends Route53ProfilesServiceException {
  static override readonly shapeId: string = 'com.amazonaws.route53profiles#ThrottlingException';
  override readonly name = 'ThrottlingException' as const;
  override readonly $fault = 'client' as const;
  Message?: string | undefined;
  constructor(opts: Opts<ThrottlingException>) {
    super({ name: 'ThrottlingException', $fault: 'client', ...opts });
    Object.setPrototypeOf(this, ThrottlingException.prototype);
    this.Message = opts.Message;
  }
}

export class ValidationException extends Route53ProfilesServiceException {
  static override readonly shapeId: string = 'com.amazonaws.route53profiles#ValidationException';
  override readonly name = 'ValidationException' as const;
  override readonly $fault = 'client' as const;
  Message?: string | undefined;
  constructor(opts: Opts<ValidationException>) {
    super({ name: 'ValidationException', $fault: 'client', ...opts });
    Object.setPrototypeOf(this, ValidationException.prototype);
    this.Message = opts.Message;
  }
}

type ModelledErrorCtor = new (opts: any) => Route53ProfilesServiceException;

/** Wire code → exception class, with the members each error shape models besides Message. */
export const MODELLED_ERRORS: Record<string, { ctor: ModelledErrorCtor; members: readonly string[] }> = {
  AccessDeniedException: { ctor: AccessDeniedException, members: [] },
  ConflictException: { ctor: ConflictException, members: [] },
  InternalServiceErrorException: { ctor: InternalServiceErrorException, members: [] },
  InvalidNextTokenException: { ctor: InvalidNextTokenException, members: [] },
  InvalidParameterException: { ctor: InvalidParameterException, members: ['FieldName'] },
  LimitExceededException: { ctor: LimitExceededException, members: ['ResourceType'] },
  ResourceExistsException: { ctor: ResourceExistsException, members: ['ResourceType'] },
  ResourceNotFoundException: { ctor: ResourceNotFoundException, members: ['ResourceType'] },
  ThrottlingException: { ctor: ThrottlingException, members: [] },
  ValidationException: { ctor: ValidationException, members: [] },
};
