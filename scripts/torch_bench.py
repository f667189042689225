#!/usr/bin/env python3
"""PyTorch side of `duet bench`: the same configurations as main/bench/wasm.ts, seconds per iteration.

Usage: torch_bench.py MODEL SIZE ITERATIONS   (MODEL: cyclegan | pix2pix | generator-inference)
Prints one JSON line: {"model", "size", "seconds_per_iteration", "cpu_seconds_per_iteration", "threads"}.
The networks follow the reference implementation (ResNet-9 / U-Net generators, 70x70 PatchGAN).
"""
import json
import math
import sys
import time

import torch
import torch.nn as nn

# Debian's build starts with one thread; compare like with like: Duet's wasm uses every core.
torch.set_num_threads(max(1, len(__import__('os').sched_getaffinity(0))))


def resnet_block(dim):
    return nn.Sequential(
        nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3, bias=True), nn.InstanceNorm2d(dim), nn.ReLU(True),
        nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3, bias=True), nn.InstanceNorm2d(dim))


class Residual(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.block = resnet_block(dim)

    def forward(self, x):
        return x + self.block(x)


def resnet_generator(ngf=64, blocks=9):
    layers = [nn.ReflectionPad2d(3), nn.Conv2d(3, ngf, 7, bias=True), nn.InstanceNorm2d(ngf), nn.ReLU(True)]
    for i in range(2):
        m = 2 ** i
        layers += [nn.Conv2d(ngf * m, ngf * m * 2, 3, stride=2, padding=1, bias=True),
                   nn.InstanceNorm2d(ngf * m * 2), nn.ReLU(True)]
    layers += [Residual(ngf * 4) for _ in range(blocks)]
    for i in range(2):
        m = 2 ** (2 - i)
        layers += [nn.ConvTranspose2d(ngf * m, ngf * m // 2, 3, stride=2, padding=1, output_padding=1, bias=True),
                   nn.InstanceNorm2d(ngf * m // 2), nn.ReLU(True)]
    layers += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, 3, 7), nn.Tanh()]
    return nn.Sequential(*layers)


def patch_discriminator(inputs=3, ndf=64, norm=nn.InstanceNorm2d):
    bias = norm == nn.InstanceNorm2d
    layers = [nn.Conv2d(inputs, ndf, 4, 2, 1), nn.LeakyReLU(0.2, True)]
    mult = 1
    for n in range(1, 3):
        prev, mult = mult, min(2 ** n, 8)
        layers += [nn.Conv2d(ndf * prev, ndf * mult, 4, 2, 1, bias=bias), norm(ndf * mult), nn.LeakyReLU(0.2, True)]
    prev, mult = mult, min(2 ** 3, 8)
    layers += [nn.Conv2d(ndf * prev, ndf * mult, 4, 1, 1, bias=bias), norm(ndf * mult), nn.LeakyReLU(0.2, True)]
    layers += [nn.Conv2d(ndf * mult, 1, 4, 1, 1)]
    return nn.Sequential(*layers)


class UnetBlock(nn.Module):
    def __init__(self, outer, inner, sub=None, outermost=False, innermost=False, dropout=False):
        super().__init__()
        self.outermost = outermost
        down = [nn.Conv2d(3 if outermost else outer, inner, 4, 2, 1, bias=False)]
        if outermost:
            up = [nn.ReLU(True), nn.ConvTranspose2d(inner * 2, outer, 4, 2, 1), nn.Tanh()]
            model = down + [sub] + up
        elif innermost:
            up = [nn.ReLU(True), nn.ConvTranspose2d(inner, outer, 4, 2, 1, bias=False), nn.BatchNorm2d(outer)]
            model = [nn.LeakyReLU(0.2, True)] + down + up
        else:
            up = [nn.ReLU(True), nn.ConvTranspose2d(inner * 2, outer, 4, 2, 1, bias=False), nn.BatchNorm2d(outer)]
            model = [nn.LeakyReLU(0.2, True)] + down + [nn.BatchNorm2d(inner), sub] + up
            if dropout:
                model += [nn.Dropout(0.5)]
        self.model = nn.Sequential(*model)

    def forward(self, x):
        return self.model(x) if self.outermost else torch.cat([x, self.model(x)], 1)


def unet_generator(downsamplings, ngf=64):
    block = UnetBlock(ngf * 8, ngf * 8, innermost=True)
    for _ in range(downsamplings - 5):
        block = UnetBlock(ngf * 8, ngf * 8, block, dropout=True)
    block = UnetBlock(ngf * 4, ngf * 8, block)
    block = UnetBlock(ngf * 2, ngf * 4, block)
    block = UnetBlock(ngf, ngf * 2, block)
    return UnetBlock(3, ngf, block, outermost=True)


def adam(params):
    return torch.optim.Adam(params, lr=2e-4, betas=(0.5, 0.999))


def cyclegan(size):
    g_a, g_b = resnet_generator(), resnet_generator()
    d_a, d_b = patch_discriminator(), patch_discriminator()
    opt_g = adam(list(g_a.parameters()) + list(g_b.parameters()))
    opt_d = adam(list(d_a.parameters()) + list(d_b.parameters()))
    real_a, real_b = torch.rand(1, 3, size, size) * 2 - 1, torch.rand(1, 3, size, size) * 2 - 1
    mse, l1 = nn.MSELoss(), nn.L1Loss()

    def gan(pred, real):
        return mse(pred, torch.ones_like(pred) if real else torch.zeros_like(pred))

    def step():
        fake_b = g_a(real_a)
        rec_a = g_b(fake_b)
        fake_a = g_b(real_b)
        rec_b = g_a(fake_a)
        for p in list(d_a.parameters()) + list(d_b.parameters()):
            p.requires_grad_(False)
        opt_g.zero_grad()
        loss_g = (gan(d_a(fake_b), True) + gan(d_b(fake_a), True) + l1(rec_a, real_a) * 10 + l1(rec_b, real_b) * 10
                  + l1(g_a(real_b), real_b) * 5 + l1(g_b(real_a), real_a) * 5)
        loss_g.backward()
        opt_g.step()
        for p in list(d_a.parameters()) + list(d_b.parameters()):
            p.requires_grad_(True)
        opt_d.zero_grad()
        loss_d = ((gan(d_a(real_b), True) + gan(d_a(fake_b.detach()), False)) * 0.5
                  + (gan(d_b(real_a), True) + gan(d_b(fake_a.detach()), False)) * 0.5)
        loss_d.backward()
        opt_d.step()

    return step


def pix2pix(size):
    g = unet_generator(int(round(math.log2(size))))
    d = patch_discriminator(6, norm=nn.BatchNorm2d)
    opt_g, opt_d = adam(g.parameters()), adam(d.parameters())
    real_a, real_b = torch.rand(1, 3, size, size) * 2 - 1, torch.rand(1, 3, size, size) * 2 - 1
    bce, l1 = nn.BCEWithLogitsLoss(), nn.L1Loss()

    def step():
        fake = g(real_a)
        for p in d.parameters():
            p.requires_grad_(False)
        opt_g.zero_grad()
        pred = d(torch.cat([real_a, fake], 1))
        (bce(pred, torch.ones_like(pred)) + l1(fake, real_b) * 100).backward()
        opt_g.step()
        for p in d.parameters():
            p.requires_grad_(True)
        opt_d.zero_grad()
        pr, pf = d(torch.cat([real_a, real_b], 1)), d(torch.cat([real_a, fake.detach()], 1))
        ((bce(pr, torch.ones_like(pr)) + bce(pf, torch.zeros_like(pf))) * 0.5).backward()
        opt_d.step()

    return step


def generator_inference(size):
    g = resnet_generator().eval()
    x = torch.rand(1, 3, size, size) * 2 - 1

    def step():
        with torch.no_grad():
            g(x)

    return step


def main():
    model, size, iterations = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.manual_seed(0)
    builders = {'cyclegan': cyclegan, 'pix2pix': pix2pix, 'generator-inference': generator_inference}
    if model not in builders:
        sys.exit(f'unknown model {model!r}; choose one of {", ".join(builders)}')
    step = builders[model](size)
    step()  # warm-up
    cpu0, t0 = time.process_time(), time.perf_counter()
    for _ in range(iterations):
        step()
    seconds = (time.perf_counter() - t0) / iterations
    cpu = (time.process_time() - cpu0) / iterations
    print(json.dumps({'model': model, 'size': size, 'seconds_per_iteration': seconds,
                      'cpu_seconds_per_iteration': cpu, 'threads': torch.get_num_threads()}))


if __name__ == '__main__':
    main()
