export interface User {
  id: string;
  email: string;
  name: string;
  createdAt: Date;
}

export interface NewUser {
  email: string;
  name: string;
  password: string;
}

export class EmailTaken extends Error {
  constructor() {
    super('a user with this email already exists');
    this.name = 'EmailTaken';
  }
}

export class UserNotFound extends Error {
  readonly userId: string;
  constructor(userId: string) {
    super(`user ${userId} does not exist`);
    this.userId = userId;
    this.name = 'UserNotFound';
  }
}
