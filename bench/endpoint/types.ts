/**
 * The benchmark's resource: strings, integers, an array, and a structure with an email and an
 * array of structures. Declared once for APSKit; routing-controllers gets the same rules as a DTO.
 */
import { ApsType, Property, Structure } from '@apskit/core';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsInt,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

@Structure()
export class Limit {
  @Property({ type: 'integer', required: true })
  resourceId!: number;

  @Property({ type: 'integer', required: true, minimum: 0 })
  limit!: number;
}

@Structure()
export class Contact {
  @Property({ required: true })
  @IsEmail()
  email!: string;

  @Property({ items: Limit, maxItems: 100 })
  limits?: Limit[];
}

@ApsType({ name: 'subscription', id: 'http://apskit.dev/bench/subscription/1.0' })
export class Subscription {
  @Property({ required: true, maxLength: 64 })
  name!: string;

  @Property({ type: 'integer', required: true, minimum: 1 })
  seats!: number;

  @Property({ items: String })
  tags?: string[];

  @Property({ required: true })
  contact!: Contact;

  provision(): void {
    // Nothing to do: the state as received is the answer (200).
  }
}

// ---- routing-controllers DTOs: the same rules, the class-validator way -------------------------

export class LimitDto {
  @IsInt()
  resourceId!: number;

  @IsInt()
  @Min(0)
  limit!: number;
}

export class ContactDto {
  @IsEmail()
  email!: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => LimitDto)
  limits?: LimitDto[];
}

export class SubscriptionDto {
  @IsString()
  @MaxLength(64)
  name!: string;

  @IsInt()
  @Min(1)
  seats!: number;

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  tags?: string[];

  @ValidateNested()
  @Type(() => ContactDto)
  contact!: ContactDto;
}

export const SAMPLE = {
  name: 'acme',
  seats: 10,
  tags: ['mail', 'web', 'backup'],
  contact: {
    email: 'admin@acme.example',
    limits: [
      { resourceId: 1, limit: 10 },
      { resourceId: 2, limit: 20 },
      { resourceId: 3, limit: 0 },
    ],
  },
};
