import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { swim, noiseCrypto } from 'libp2p-swim'

const node = await createLibp2p({
  addresses: { listen: ['/ip4/0.0.0.0/tcp/7946'] },
  transports: [tcp()],
  connectionEncrypters: [noise({ crypto: noiseCrypto })],
  streamMuxers: [yamux()],
  services: {
    identify: identify(),
    swim: swim({ seeds: ['/ip4/10.0.0.1/tcp/7946'], profile: 'lan', metadata: { role: 'api' } })
  }
})
node.services.swim.addEventListener('member:fail', (evt) => console.log('failed', evt.detail.member.id))
