import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { DependentPaths } from 'nestjs-cache-page';

@Entity()
@DependentPaths()
export class Post {
  @PrimaryKey()
  id!: number;

  @Property()
  title!: string;

  dependentPaths(): string[] {
    return ['/posts', `/posts/${this.id}`];
  }
}
