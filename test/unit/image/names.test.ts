import assert from 'node:assert/strict';
import { describe, test } from '@jest/globals';
import {
  digestOrImageMatch,
  FROM_NAME_FORMAT_DETAIL,
  imageStreamTagCreateNameError,
  joinImageSignatureName,
  joinImageStreamImage,
  joinImageStreamTag,
  NAME_FORMAT_MESSAGES,
  parseFromReference,
  parseImageStreamImageName,
  parseImageStreamTagName,
  splitImageSignatureName,
  splitImageStreamImage,
  splitImageStreamTag,
} from '../../../src/image/api/names.js';

const SHA = 'sha256:ff46b782bbfd8ba9a1f74e6b9ef9f2ba4c3bd2d88f18cf2a87bbd0d0f66bd2e1';

describe('strict <stream>:<tag> names (istag/itag get, update, delete)', () => {
  test('accepts exactly one colon with both parts', () => {
    assert.deepEqual(parseImageStreamTagName('ubuntu:18.04'), { name: 'ubuntu', tag: '18.04' });
  });
  const bad: [string, string][] = [
    ['ubuntu', 'expected exactly one : delimiter in the istag "ubuntu"'],
    ['a:b:c', 'expected exactly one : delimiter in the istag "a:b:c"'],
    [':tag', 'image stream tag name ":tag" must have a name and a tag'],
    ['name:', 'image stream tag name "name:" must have a name and a tag'],
    [`ubuntu@${SHA}`, `"ubuntu@${SHA}" is an image stream image, not an image stream tag`],
    ['a:b@c', '"a:b@c" is an image stream image, not an image stream tag'],
  ];
  for (const [name, message] of bad) {
    test(`rejects ${JSON.stringify(name)}`, () => {
      assert.throws(() => parseImageStreamTagName(name), { name: 'NameFormatError', message });
    });
  }
  test('the 400 messages clients see', () => {
    assert.equal(NAME_FORMAT_MESSAGES.imageStreamTag, 'ImageStreamTags must be retrieved with <name>:<tag>');
    assert.equal(NAME_FORMAT_MESSAGES.imageTag, 'ImageTags must be retrieved with <name>:<tag>');
    assert.equal(NAME_FORMAT_MESSAGES.imageStreamImage, 'ImageStreamImages must be retrieved with <name>@<id>');
    assert.equal(NAME_FORMAT_MESSAGES.imageSignature, 'ImageSignatures must be accessed with <imageName>@<signatureName>');
  });
});

describe('lenient <stream>:<tag> splitting (istag/itag create)', () => {
  test('splits on the first colon only', () => {
    assert.deepEqual(splitImageStreamTag('a:b:c'), { name: 'a', tag: 'b:c', ok: true });
  });
  test('a missing tag means latest but is flagged', () => {
    assert.deepEqual(splitImageStreamTag('ubuntu'), { name: 'ubuntu', tag: 'latest', ok: false });
    assert.equal(imageStreamTagCreateNameError('ubuntu'), '"ubuntu" must be of the form <stream_name>:<tag>');
  });
  test('an empty tag means latest and is accepted', () => {
    assert.deepEqual(splitImageStreamTag('ubuntu:'), { name: 'ubuntu', tag: 'latest', ok: true });
  });
  test('joining uses latest for an empty tag', () => {
    assert.equal(joinImageStreamTag('ubuntu', ''), 'ubuntu:latest');
    assert.equal(joinImageStreamTag('ubuntu', '1'), 'ubuntu:1');
  });
});

describe('<stream>@<id> names', () => {
  test('strict parser needs exactly one @ and both parts', () => {
    assert.deepEqual(parseImageStreamImageName(`ubuntu@${SHA}`), { name: 'ubuntu', id: SHA });
    assert.throws(() => parseImageStreamImageName('ubuntu'), { message: 'expected exactly one @ in the isimage name "ubuntu"' });
    assert.throws(() => parseImageStreamImageName('a@b@c'), { message: 'expected exactly one @ in the isimage name "a@b@c"' });
    assert.throws(() => parseImageStreamImageName('@id'), { message: 'image stream image name "@id" must have a name and ID' });
    assert.throws(() => parseImageStreamImageName('name@'), { message: 'image stream image name "name@" must have a name and ID' });
  });
  test('lenient splitter and join', () => {
    assert.deepEqual(splitImageStreamImage('a@b@c'), { name: 'a', id: 'b@c', ok: true });
    assert.deepEqual(splitImageStreamImage('a'), { name: 'a', id: '', ok: false });
    assert.equal(joinImageStreamImage('a', 'b'), 'a@b');
  });
});

describe('<image>@<signature> names', () => {
  test('exactly one @, both halves non-empty', () => {
    assert.deepEqual(splitImageSignatureName(`${SHA}@sig1`), { imageName: SHA, signatureName: 'sig1' });
    assert.equal(joinImageSignatureName('img', 'sig'), 'img@sig');
    assert.throws(() => splitImageSignatureName('nosig'), { message: 'expected exactly one @ in the image signature name "nosig"' });
    assert.throws(() => splitImageSignatureName('a@b@c'), { message: 'expected exactly one @ in the image signature name "a@b@c"' });
    assert.throws(() => splitImageSignatureName('@sig'), { message: 'image signature name "@sig" must have an image name and signature name' });
    assert.throws(() => splitImageSignatureName('img@'), { message: 'image signature name "img@" must have an image name and signature name' });
  });
});

describe('spec tag from.name references', () => {
  test('ImageStreamTag: <tag> refers to this stream, <stream>:<tag> to another', () => {
    assert.deepEqual(parseFromReference('self', { kind: 'ImageStreamTag', name: 'latest' }), { stream: 'self', tagOrId: 'latest' });
    assert.deepEqual(parseFromReference('self', { kind: 'ImageStreamTag', name: 'other:1' }), { stream: 'other', tagOrId: '1' });
    assert.deepEqual(parseFromReference('self', { kind: 'ImageStreamTag', name: '' }), { stream: 'self', tagOrId: '' });
  });
  test('ImageStreamImage: <id> or <stream>@<id>; a colon is not a separator', () => {
    assert.deepEqual(parseFromReference('self', { kind: 'ImageStreamImage', name: 'other:notadigest' }), {
      stream: 'self',
      tagOrId: 'other:notadigest',
    });
    assert.deepEqual(parseFromReference('self', { kind: 'ImageStreamImage', name: `other@${SHA}` }), { stream: 'other', tagOrId: SHA });
  });
  test('three parts or another kind are errors', () => {
    assert.throws(() => parseFromReference('s', { kind: 'ImageStreamTag', name: 'other:a:b' }), {
      message: 'invalid from.name "other:a:b" - it must be of the form <tag> or <stream>:<tag>',
    });
    assert.throws(() => parseFromReference('s', { kind: 'ImageStreamImage', name: 'a@b@c' }), {
      message: 'invalid from.name "a@b@c" - it must be of the form <id> or <stream>@<id>',
    });
    assert.throws(() => parseFromReference('s', { kind: 'DockerImage', name: 'x' }), {
      message: 'invalid from.kind "DockerImage" - only ImageStreamTag and ImageStreamImage are allowed',
    });
    assert.equal(FROM_NAME_FORMAT_DETAIL, 'must be of the form <tag>, <repo>:<tag>, <id>, or <repo>@<id>');
  });
});

describe('short image id matching', () => {
  test('a digest name matches prefixes of its hex part or of the whole name', () => {
    for (const id of [SHA, 'sha256:ff46b782', 'ff46b782', 'sha256:', 's', 'ff', '']) assert.ok(digestOrImageMatch(SHA, id), id);
    for (const id of ['ff46b783', 'sha256:0', 'sha512:ff', `${SHA}0`]) assert.ok(!digestOrImageMatch(SHA, id), id);
  });
  test('other names match by plain prefix', () => {
    assert.ok(digestOrImageMatch('image1', 'ima'));
    assert.ok(!digestOrImageMatch('image1', 'mage'));
    // "sha256:abc" is not a valid digest, so its hex part is not searched on its own.
    assert.ok(!digestOrImageMatch('sha256:abc', 'abc'));
  });
});
