import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { CachePageModule } from 'nestjs-cache-page';

let calls = 0;
@Controller()
class C {
  @Get('/a') a() { calls++; return { n: calls }; }
}
@Module({ imports: [CachePageModule.forRoot()], controllers: [C] })
class M {}

test('smoke', async () => {
  const mod = await Test.createTestingModule({ imports: [M] }).compile();
  const app = mod.createNestApplication();
  await app.init();
  const r1 = await request(app.getHttpServer()).get('/a');
  const r2 = await request(app.getHttpServer()).get('/a');
  console.log(r1.status, r1.headers, r1.text, r2.status, r2.headers, r2.text);
  expect(calls).toBe(1);
  await app.close();
});
